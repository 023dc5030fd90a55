/**
 * The safe list: per app, numbers and number ranges the pumping guard never refuses (a
 * support line, a partner's test handsets, a call centre's block). Volume limits per destination
 * and per IP still apply: a safe number is trusted not to be a pumping target, not to be
 * hammered. Kept in `apps.settings.safelist`, so the request path reads it from the app it
 * already holds; the CLI and the dashboard change it through SafelistService (audited).
 *
 * An entry is an E.164 number ("+14155550123") or a range written with up to three trailing
 * `x` ("+1415555012x", "+141555501xx", at most "+14155550xxx": 1,000 numbers), each x one digit.
 */
export interface SafelistEntry { pattern: string; note?: string | null; addedBy?: string; addedAt?: string }

export const MAX_SAFELIST_ENTRIES = 1000;
const MAX_WILDCARDS = 3;
const PATTERN = /^\+[1-9]\d{4,14}x{0,3}$/;

/** The pattern as stored ("+1 415-555-01xx" → "+141555501xx"), or a sentence saying what is wrong. */
export function normalizeSafelistPattern(raw: unknown): { pattern: string } | { problem: string } {
  if (typeof raw !== "string") return { problem: "a safe-list entry must be a phone number or range such as +1415555012x" };
  const pattern = raw.replace(/[\s().-]/g, "").replace(/X/g, "x");
  const wildcards = (/x*$/.exec(pattern)?.[0] ?? "").length;
  if (/x/.test(pattern.slice(0, pattern.length - wildcards))) return { problem: `"${raw}": x may only stand for the last digits` };
  if (wildcards > MAX_WILDCARDS) return { problem: `"${raw}": a range may cover at most 1,000 numbers (three x)` };
  if (!PATTERN.test(pattern) || pattern.length - 1 > 15) return { problem: `"${raw}" is not an E.164 number or range (like +14155550123 or +1415555012x)` };
  return { pattern };
}

/** Problems with a stored list, as sentences naming the setting. */
export function safelistProblems(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return ["safelist must be a list of entries"];
  if (value.length > MAX_SAFELIST_ENTRIES) return [`safelist holds at most ${MAX_SAFELIST_ENTRIES} entries`];
  const problems: string[] = [];
  for (const e of value) {
    const n = normalizeSafelistPattern(e?.pattern);
    if ("problem" in n) problems.push(`safelist: ${n.problem}`);
    else if (n.pattern !== e.pattern) problems.push(`safelist: "${e.pattern}" must be stored as ${n.pattern}`);
  }
  return problems;
}

/** How many numbers an entry covers (1, 10, 100 or 1,000). */
export const entrySize = (pattern: string) => 10 ** (/x*$/.exec(pattern)?.[0].length ?? 0);

interface Compiled { exact: Set<string>; ranges: Array<{ head: string; length: number }> }
const compiled = new WeakMap<SafelistEntry[], Compiled>();

/** Whether an E.164 number is on the list. Compiled once per list (the app object is cached per process). */
export function isSafelisted(list: SafelistEntry[] | null | undefined, e164: string): boolean {
  if (!list?.length) return false;
  let c = compiled.get(list);
  if (!c) {
    c = { exact: new Set(), ranges: [] };
    for (const { pattern } of list) {
      const head = pattern.replace(/x+$/, "");
      if (head === pattern) c.exact.add(pattern);
      else c.ranges.push({ head, length: pattern.length });
    }
    compiled.set(list, c);
  }
  if (c.exact.has(e164)) return true;
  return c.ranges.some((r) => r.length === e164.length && e164.startsWith(r.head));
}
