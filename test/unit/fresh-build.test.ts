import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { staleSources } from "../helpers/fresh-build";

/** Child-process tests run dist/; the global setup rebuilds when a source is newer than its output (staleSources). */
describe("stale dist/ detection", () => {
  const root = mkdtempSync(join(tmpdir(), "otpg-build-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const file = (path: string, at: number) => {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), "x");
    utimesSync(join(root, path), at, at);
  };

  it("names a source with no output, or one changed after its output; not one built after it changed", () => {
    file("server/src/a.ts", 1000);
    file("dist/server/src/a.js", 2000);
    file("server/src/b.ts", 3000);
    file("dist/server/src/b.js", 2000);
    file("server/src/sub/c.ts", 1000);
    file("test/helpers/d.ts", 1000);
    file("test/helpers/summary-reporter.ts", 1000); // not compiled by tsconfig: never stale
    file("server/src/e.test.ts", 5000); // tests are loaded by vitest, not from dist/
    expect(staleSources(root).sort()).toEqual(["server/src/b.ts", "server/src/sub/c.ts", "test/helpers/d.ts"]);
  });

  it("this checkout's dist/ is current when the tests run (the global setup built it)", () => {
    expect(staleSources()).toEqual([]);
  });
});
