import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The server's modules import each other in one direction: no file reaches itself through its
 * imports (type-only imports included, since they couple the files just the same). The
 * protection module was made one folder (protection/) to end two such circles; this keeps any
 * from coming back anywhere in server/src.
 */
const SRC = resolve(__dirname, "../../server/src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^"';]*?from\s+"(\.[^"]+)"|import\s+"(\.[^"]+)"/g)) {
    const spec = m[1] ?? m[2];
    const base = resolve(dirname(file), spec);
    const hit = [`${base}.ts`, join(base, "index.ts")].find((p) => existsSync(p));
    if (hit) out.push(hit);
  }
  return out;
}

function circles(all: string[]): string[][] {
  const graph = new Map(all.map((f) => [f, importsOf(f)]));
  const found: string[][] = [];
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, 1);
    path.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 1) found.push(path.slice(path.indexOf(g)).concat(g).map((p) => relative(SRC, p)));
      else if (!state.has(g)) visit(g);
    }
    path.pop();
    state.set(f, 2);
  };
  for (const f of all) if (!state.has(f)) visit(f);
  return found;
}

describe("module structure", () => {
  it("reads a file's imports, type-only ones included (the walk sees real edges)", () => {
    const edges = importsOf(join(SRC, "protection/send-policy.ts")).map((p) => relative(SRC, p));
    expect(edges).toContain("protection/limit-steps.ts");
    expect(edges).toContain("apps/app.entity.ts");
  });

  it("has no import circle in server/src", () => {
    expect(circles(files(SRC))).toEqual([]);
  });

  it("keeps protection in one folder: no abuse/ or ratelimit/ beside it", () => {
    expect(existsSync(join(SRC, "abuse"))).toBe(false);
    expect(existsSync(join(SRC, "ratelimit"))).toBe(false);
    expect(existsSync(join(SRC, "protection/send-policy.ts"))).toBe(true);
  });
});
