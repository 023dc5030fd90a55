import "reflect-metadata";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../server/src/cli/program";
import { envSchema } from "../../server/src/config/env";

const ROOT = resolve(__dirname, "../..");
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

/** README plus every Markdown page under docs/. */
function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
  return ["README.md", ...docs];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) inFence = !inFence;
    const m = !inFence && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, "").replace(/ /g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every `otp-gateway …` command path of the CLI, e.g. "app revoke-key". */
function commandPaths(cmd: Command, prefix: string[] = []): string[] {
  return cmd.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return c.commands.length > 0 ? commandPaths(c, path) : [path.join(" ")];
  });
}

describe("docs", () => {
  it("docs/configuration.md documents every environment variable the config reads", () => {
    const text = read("docs/configuration.md");
    const variables = Object.keys(envSchema.shape);
    expect(variables.length).toBeGreaterThan(20);
    const missing = variables.filter((v) => !text.includes(`\`${v}\``) && !text.includes(`${v}=`));
    expect(missing).toEqual([]);
  });

  it("docs/cli.md documents every otp-gateway command", () => {
    const text = read("docs/cli.md");
    const paths = commandPaths(buildProgram());
    expect(paths).toContain("app create");
    const missing = paths.filter((p) => !text.includes(`otp-gateway ${p}`));
    expect(missing).toEqual([]);
  });

  it("no relative link in README or docs is broken (files and heading anchors)", () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      const text = read(file).replace(/```[\s\S]*?```/g, "");
      for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
        const [pathPart, anchor] = target.split("#");
        const abs = pathPart ? resolve(ROOT, dirname(file), pathPart) : join(ROOT, file);
        if (!existsSync(abs)) {
          broken.push(`${file}: ${target}`);
          continue;
        }
        if (anchor && statSync(abs).isFile() && abs.endsWith(".md") && !anchors(readFileSync(abs, "utf8")).has(anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("the README stays a landing page that links every docs page", () => {
    const readme = read("README.md");
    expect(readme.split("\n").length).toBeLessThan(250);
    for (const page of markdownFiles().filter((f) => f.startsWith("docs/") && f !== "docs/README.md")) {
      expect(readme).toContain(`(${page})`);
    }
  });
});
