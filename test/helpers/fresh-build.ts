import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync, utimesSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
/** What child-process tests run from dist/: the gateway and the helpers they fork. */
const SOURCES = ["server/src", "test/bench", "test/fakes", "test/helpers", "examples"];
/** Sources tsconfig.json leaves out (loaded by vitest itself): they have no output to compare. */
const NOT_COMPILED = new Set(["test/helpers/summary-reporter.ts"]);

function* sourceFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && !entry.name.endsWith(".d.ts")) yield path;
  }
}

/** Sources whose compiled file in dist/ is missing or older than they are. */
export function staleSources(root = ROOT): string[] {
  const stale: string[] = [];
  for (const dir of SOURCES) {
    for (const src of sourceFiles(join(root, dir))) {
      if (NOT_COMPILED.has(relative(root, src))) continue;
      const out = join(root, "dist", relative(root, src)).replace(/\.ts$/, ".js");
      if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) stale.push(relative(root, src));
    }
  }
  return stale;
}

/**
 * Vitest global setup: child-process tests (the CLI, `serve` processes, the bench) run the
 * compiled gateway in dist/, so a source changed since the last build would be tested as it
 * was. Builds (tsc, incremental) when any source is newer than its output; a no-op otherwise.
 */
export default function ensureFreshBuild(): void {
  const stale = staleSources();
  if (!stale.length) return;
  process.stderr.write(`[tests] dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", …" : ""}): building\n`);
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.json")], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build:server failed: child-process tests would run a stale dist/");
  // Incremental tsc leaves an output alone when its source's content is unchanged (a checkout
  // touched only its mtime): the build vouched for it, so its output is marked as current.
  const now = new Date();
  for (const src of staleSources()) {
    const out = join(ROOT, "dist", src).replace(/\.ts$/, ".js");
    if (existsSync(out)) utimesSync(out, now, now);
  }
}
