import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The suite's own waits (issue 20, item 12): a browser `expect.poll` without options gives up
 * after vitest's 1 s default, which a loaded CI machine's Chromium misses now and then. Every
 * call names its bound. Polls were given 15 s in December 2026; eleven written after that had
 * none again, which this keeps from recurring.
 */
const TEST = resolve(__dirname, "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** The argument text of each `expect.poll(…)` call in `source` (parentheses balanced, strings skipped), with its line. */
function pollCalls(source: string): Array<{ line: number; args: string }> {
  const out: Array<{ line: number; args: string }> = [];
  for (const m of source.matchAll(/expect\.poll\(/g)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    let quote: string | null = null;
    for (; i < source.length && depth > 0; i++) {
      const c = source[i];
      if (quote) {
        if (c === "\\") i++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === "'" || c === "`") quote = c;
      else if (c === "(") depth++;
      else if (c === ")") depth--;
    }
    out.push({ line: source.slice(0, m.index).split("\n").length, args: source.slice(m.index! + m[0].length, i - 1) });
  }
  return out;
}

const withoutTimeout = (source: string) => pollCalls(source).filter((c) => !/\btimeout\s*:/.test(c.args));

describe("the test suite's waits", () => {
  it("finds a poll without a bound, and accepts one with it", () => {
    const source = `await expect.poll(() => page.locator("a(b").count()).toBe(1);\nawait expect.poll(() => f(")"), { timeout: 15_000 }).toBe(2);`;
    expect(pollCalls(source)).toHaveLength(2);
    expect(withoutTimeout(source).map((c) => c.line)).toEqual([1]);
  });

  it("every expect.poll in test/ names its timeout (vitest's default is 1 s)", () => {
    const self = resolve(__filename);
    const unbounded = files(TEST)
      .filter((f) => f !== self)
      .flatMap((f) => withoutTimeout(readFileSync(f, "utf8")).map((c) => `${relative(TEST, f)}:${c.line}`));
    expect(unbounded).toEqual([]);
  });
});
