import { parseAnyDestination } from "../verification/destination";

/**
 * Test destinations (like Firebase's test phone numbers): per app, a destination with a fixed
 * code and the delivery outcome to play back. Requests to one run the whole pipeline (limits,
 * rows, worker, delivery events, fallback) except the vendor: the test-destination provider
 * stands in. A fixed code is a published secret, so under NODE_ENV=production they are
 * refused when an app is saved, and ignored at request time, unless ALLOW_TEST_DESTINATIONS=true.
 */
export type TestOutcome = "DELIVERED" | "FAILED" | "UNDELIVERED";
export interface TestDestination { destination: string; code: string; outcome?: TestOutcome }

/** The part of an app's settings this reads (AppSettings in apps/app.entity.ts, which imports this file). */
type AppSettings = { testDestinations?: TestDestination[] };

const OUTCOMES: readonly string[] = ["DELIVERED", "FAILED", "UNDELIVERED"];
const MAX_TEST_DESTINATIONS = 50;

export class TestDestinations {
  constructor(readonly allowed: boolean) {}

  /** The app's entry for a normalized destination, or null (always null when not allowed here). */
  find(settings: AppSettings | null | undefined, destination: string): TestDestination | null {
    if (!this.allowed) return null;
    const list = settings?.testDestinations;
    if (!Array.isArray(list) || !list.length) return null;
    return list.find((t) => normalize(t.destination) === destination) ?? null;
  }
}

function normalize(raw: string): string | null {
  try {
    return parseAnyDestination(raw).value;
  } catch {
    return null;
  }
}

/**
 * Checks and normalizes `settings.testDestinations` when an app is saved: each destination
 * parseable (stored in E.164 / lower case), each code all digits and as long as the app's
 * codes, no destination twice. Returns the problems, and the list as it should be stored.
 */
export function checkTestDestinations(value: unknown, codeLength: number, allowed: boolean): { problems: string[]; normalized?: TestDestination[] } {
  if (value === undefined || value === null) return { problems: [] };
  if (!Array.isArray(value)) return { problems: ["testDestinations must be a list of { destination, code, outcome? }"] };
  if (!value.length) return { problems: [], normalized: [] };
  if (!allowed) return { problems: ["testDestinations are not allowed in production unless ALLOW_TEST_DESTINATIONS=true"] };
  if (value.length > MAX_TEST_DESTINATIONS) return { problems: [`at most ${MAX_TEST_DESTINATIONS} testDestinations`] };
  const problems: string[] = [];
  const normalized: TestDestination[] = [];
  const seen = new Set<string>();
  value.forEach((t: any, i) => {
    const where = `testDestinations[${i}]`;
    if (!t || typeof t !== "object" || Array.isArray(t)) return void problems.push(`${where} must be { destination, code, outcome? }`);
    const extra = Object.keys(t).filter((k) => !["destination", "code", "outcome"].includes(k));
    if (extra.length) problems.push(`${where} has unknown fields: ${extra.join(", ")}`);
    const destination = typeof t.destination === "string" ? normalize(t.destination) : null;
    if (!destination) problems.push(`${where}.destination is not a phone number with its country code or an e-mail address`);
    else if (seen.has(destination)) problems.push(`${where}.destination is listed twice`);
    if (typeof t.code !== "string" || !/^\d+$/.test(t.code) || t.code.length !== codeLength) {
      problems.push(`${where}.code must be ${codeLength} digits (the app's code length)`);
    }
    if (t.outcome !== undefined && !OUTCOMES.includes(t.outcome)) problems.push(`${where}.outcome must be one of ${OUTCOMES.join(", ")}`);
    if (destination) {
      seen.add(destination);
      normalized.push({ destination, code: t.code, ...(t.outcome && { outcome: t.outcome }) });
    }
  });
  return problems.length ? { problems } : { problems: [], normalized };
}

