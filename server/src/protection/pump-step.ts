/**
 * What the pumping guard hands the ordered limits (one `pump` step), and what comes back. The
 * policy (which budgets, what a block records) is the guard's (protection/pumping-guard.ts); the
 * counting is the limiter's, in Redis (pump-lua.ts) or in memory (pump-memory.ts), one algorithm
 * written twice and checked against each other on random traffic (test/unit/pump-parity.test.ts).
 *
 * The model is conversion. Every paid send is *in flight* (its code window is open), *proven*
 * (verified) or *unconverted* (the window passed unverified). A scope — a number prefix, a
 * country's prefixes, the app's unproven territory, the app's fresh traffic — may carry
 *
 *     unconverted + weight × (in flight − vouched)  ≤  max(floor, room [+ 3√room]),  room = ratio × proven
 *
 * (the 3√room, room for chance, only on the levels of traffic with a history: hasChanceRoom)
 *
 * over the last hour (proven: the last 24 hours, this hour included, so a launch earns room as
 * its users verify). `weight` is what recent traffic of that scope fails to convert, judged on
 * sends old enough to have been verified (a scope whose recent sends are mostly verified counts
 * its open codes at half, one whose codes go unverified counts them whole, a scope with no
 * evidence yet at half: so a burst gets at most twice the floor before the evidence is in);
 * `ratio` is the app's own record of abandoned codes per verified one once it has a record (with
 * headroom, never below 0.5), else the level's `share`.
 *
 * `vouched`: codes still in flight that were sent before the scope's latest proof count nothing,
 * VOUCH_PER_PROOF of them for each proof of the last RECENT_PROOF_MINUTES, VOUCH_FLOORS × floor at
 * most. A launch's users verify while later users are still typing: a few hundred first users in
 * two minutes hold r × (typing time) + the abandoned ≈ 150 codes in flight 40 seconds in, with
 * ~40 proven — beyond twice the floor (the app level's 100) before the proofs outweigh it. Each
 * proof now vouches for three of the codes sent before it, so the launch is not refused while its
 * proofs keep arriving.
 *
 * Why every bound still holds (security.md, "SMS pumping", says it with the figures):
 * - Without a proof of its own an attack can be vouched for only once a real user of the same
 *   scope verifies *after* its codes went out: then 3 codes per proof of the last two minutes,
 *   never more than twice the floor, and only while proofs are a real share of recent sends
 *   (VOUCH_MIN_PROOF_PERCENT, VOUCH_APP_PROOF_PERCENT) — which an attack's own volume ends. Codes
 *   sent after the latest proof always count; so do the vouched ones once no proof came for two
 *   minutes, and in full once their window passed.
 * - So, over any hour, a scope's unverified sends stay ≤ 2 × max(floor, room [+ 3√room]) + vouched
 *   (weight ≥ ½ and unconverted counted whole): with no real user verifying there during the
 *   attack, the vouched codes are real users' own (sent before the latest proof), so the attack
 *   gets at most the bound before — 20 per prefix, 60 per country's fresh prefixes, 60 for all
 *   unproven countries together, 100 for all the app's fresh traffic. Real users who verify there
 *   during the attack carry a footprint of their own in the same budget: in steady traffic of f
 *   users a minute converting c, their abandoned codes take 2 × (1 − c) × f × 55 slots over the
 *   hour (5-minute code window), their proofs lend 3 × c × f × 2 — less while c < 95 %.
 * - An attacker with verified numbers of its own buys 3 in-flight codes per real SMS it receives
 *   and types back within two minutes, and at most twice the floor: it pays a real number per proof.
 */

/**
 * An app's number prefix; its country's fresh prefixes (no history of their own, in a country
 * with one); its country's known prefixes; its unproven territory (fresh prefixes in countries
 * with no history: one budget, however many countries); all its fresh traffic together.
 */
export type PumpLevel = "prefix" | "country" | "country_known" | "unproven" | "app";
export const LEVELS: PumpLevel[] = ["prefix", "country", "country_known", "unproven", "app"];
export const LEVEL_CODES: Record<PumpLevel, number> = { prefix: 1, country: 2, country_known: 3, unproven: 4, app: 5 };

/**
 * Levels that refuse while over budget but set no standing block: they are shared by every new
 * user of the app, so they must let real users back in as soon as conversions make room. A hard
 * level (prefix, country) refuses the same soft way while its scope has verified sends in the
 * last hour or two — real users are there (a launch, a campaign) — and sets a standing,
 * escalating block only where nothing was proven: what pumping looks like.
 */
export const isSoftLevel = (level: PumpLevel) => level === "unproven" || level === "app";
/** What a soft level answers as retryAfter: it is judged again on every send. */
export const SOFT_RETRY_SECONDS = 60;

/**
 * unconverted + weight × in flight may reach max(floor, room [+ 3√room]), room = ratio × proven (ratio: the app's record,
 * else `share`). The larger of the two, not their sum: an attack beside real users of a scope gets
 * the floor or their record's room, never both, so twice the floor stays its bound before evidence.
 */
export interface PumpBudget { floor: number; share: number }

/**
 * Which budgets a send was counted on, stored on its verification so that an approval moves it
 * from unverified to proven: "prefix" (its prefix only), "fresh" (its prefix, its country's fresh
 * prefixes, the app's fresh traffic), "known" (its prefix and its country's known prefixes),
 * "unproven" (its prefix, the app's unproven territory and fresh traffic), or null (not counted:
 * e-mail, a test destination, the safe list, the guard off).
 */
export type PumpScope = "prefix" | "fresh" | "known" | "unproven" | null;
/** By the script's scope code. */
export const SCOPES: PumpScope[] = [null, "prefix", "fresh", "known", "unproven"];

export interface PumpStep {
  appId: string;
  prefix: string;
  /** The destination's country (null when the number names none: judged as unproven territory). */
  country: string | null;
  /** Per level; null: that level is off. */
  budgets: Record<PumpLevel, PumpBudget | null>;
  /** false: record_only (shadow): would-be blocks are recorded, nothing is refused. */
  enforce: boolean;
  /** Block durations in seconds for the 1st, 2nd, 3rd… block of a key within a day (hard levels). */
  ladder: number[];
  /** The app's code validity in minutes (rounded up): a send older than that is unconverted. */
  windowMinutes: number;
  /** The clock the buckets are kept by (ms). */
  now: number;
  /** A new block (enforced: before the refusal is thrown; shadow: after the send was let through). */
  onBlock(figures: PumpFigures): Promise<void>;
  /** Set by the run once the send passed: where it was counted. */
  scope?: PumpScope;
}

/** A level's figures at the moment it was judged over its budget. */
export interface PumpFigures {
  level: PumpLevel;
  shadow: boolean;
  /** Sends of the last hour not verified (in flight + unconverted), before this one. */
  unverified: number;
  /** All sends in the last hour. */
  sends: number;
  /** Verified sends in the last 24 hours: the proof the budget was judged against. */
  verified: number;
  budget: number;
  /** 1 for the first block of this key within a day, 2 for the second… */
  escalationStep: number;
  blockSeconds: number;
  inFlight: number;
  unconverted: number;
  /** How much an open code counted (0.5–1). */
  weight: number;
  /** Unconverted sends allowed per proven one (the app's record, or the level's share). */
  ratio: number;
  /** Codes in flight that counted nothing: sent before the scope's latest proof, 3 per proof of the last two minutes, twice the floor at most. */
  vouched: number;
}

export const PUMP_WINDOW_SECONDS = 3600;
export const PUMP_HISTORY_SECONDS = 86_400;
/**
 * Sends younger than this (minute buckets: the current and the one before) have not had the time
 * a real user takes to verify, so they are no evidence of what a scope converts.
 */
export const YOUNG_MINUTES = 2;
/**
 * Proofs this recent (minute buckets: the current and the one before, so one to two minutes) vouch
 * for codes still in flight: the seconds to a minute a real user takes to type, with slack.
 */
export const RECENT_PROOF_MINUTES = 2;
/** Codes in flight (sent before the scope's latest proof) that one recent proof vouches for. */
export const VOUCH_PER_PROOF = 3;
/** Vouched codes at most, in floors of the level: an attack riding real users' proofs gets at most this much more. */
export const VOUCH_FLOORS = 2;
/**
 * Vouching holds only where proofs are a real share of recent traffic: the scope's proofs of the
 * last minutes at least VOUCH_MIN_PROOF_PERCENT of its sends of the same minutes, or the app's
 * fresh traffic's at least VOUCH_APP_PROOF_PERCENT of its own. Real traffic meets one of them
 * (steady traffic its conversion; a launch ~20 % app-wide half a minute in, when its busiest
 * country's fresh prefixes still show 9 %); an attack flooding a scope beside a trickle of real
 * users meets neither (4 proofs for 70 sends in the scope, ~1 % app-wide). Without the gate a
 * pumping run over GB's fresh prefixes was paid 72 of its 60 (CI, quick sample, seed 232032568):
 * one real user verifying 14 s into the attack made the scope's four proofs of the last two
 * minutes vouch for 12 of the attack's codes — three of them made before the attack began. With
 * the scope's share alone (10 %), a 492-user launch had 5 users refused (seed 43): its US fresh
 * prefixes had 6 proofs for 66 sends when they needed the vouching; the app's share was the tell.
 */
export const VOUCH_MIN_PROOF_PERCENT = 10;
export const VOUCH_APP_PROOF_PERCENT = 10;
/**
 * Room for chance, in standard deviations of the record's own room (ratio × proven, a count of
 * abandoned codes: Poisson, so its deviation is its square root). A scope is a sample of the
 * app's users: 80 sends to an app's known US prefixes of an app that converts 80 % carried
 * 29 abandoned codes, not the 20 its record expects (simulator, server to server, seed 43), and
 * were refused at ratio × proven = 25. A sample exceeds its expectation by three deviations
 * about once in 740; the slack adds little to an attack's room, and only where real users prove
 * themselves (+15 at a room of 25, +30 at 100, +94 at 1000); below the floor it changes nothing.
 */
export const NOISE_SIGMAS = 3;
/**
 * The levels that get room for chance: those judging traffic with a history of its own (a prefix,
 * once it has proofs; a country's known prefixes), where an app's ordinary users are and their
 * abandonment is a sample. The levels of fresh traffic (a country's fresh prefixes, the unproven
 * territory, the app's fresh traffic) keep max(floor, room): their bound is twice the floor before
 * evidence, and room for chance there would be room for an attack beside a few real users (a
 * pumping run over 76 fresh US prefixes beside 23 verified real users was paid 62, not 60).
 */
export const hasChanceRoom = (level: PumpLevel) => level === "prefix" || level === "country_known";
/** Proven sends over the last day at which the app's own abandonment ratio replaces `share`. */
export const RECORD_MIN_PROVEN = 50;

export interface PumpKeys { block: string; escalation: string; counts: string }

/** The storage keys of one level: the counts are shared by both modes, blocks are not. */
export function pumpKeys(prefix: string, level: PumpLevel, appId: string, value: string, shadow: boolean): PumpKeys {
  const base = `${prefix}pump:${level}:${appId}:${value}`;
  return { block: `${base}:${shadow ? "sblock" : "block"}`, escalation: `${base}:${shadow ? "sesc" : "esc"}`, counts: `${base}:counts` };
}

/** The app's record: all its judged sends and its verified ones, per hour, over a day. */
export const pumpStatsKey = (prefix: string, appId: string) => `${prefix}pump:stats:${appId}`;
/** Present for a day after a verified send to the country: the country has a history. */
export const pumpProofKey = (prefix: string, appId: string, country: string | null) => `${prefix}pump:proof:${appId}:${country ?? "-"}`;

/** The value a level's keys are named by. */
export function levelValue(level: PumpLevel, s: { prefix: string; country: string | null }): string {
  if (level === "prefix") return s.prefix;
  if (level === "country" || level === "country_known") return s.country ?? "-";
  return "-";
}

/** The step's keys and ARGV for the ordered script (see PUMP_LUA_OP): 17 keys, 15 values. */
export function pumpScriptArgs(redisPrefix: string, s: PumpStep): { keys: string[]; args: string[] } {
  const shadow = !s.enforce;
  const keys = LEVELS.flatMap((level) => {
    const k = pumpKeys(redisPrefix, level, s.appId, levelValue(level, s), shadow);
    return [k.block, k.escalation, k.counts];
  });
  keys.push(pumpStatsKey(redisPrefix, s.appId), pumpProofKey(redisPrefix, s.appId, s.country));
  const budgetArgs = LEVELS.flatMap((level) => {
    const b = s.budgets[level];
    return b ? [String(b.floor), String(Math.round(b.share * 100))] : ["-1", "0"];
  });
  return { keys, args: ["p", s.enforce ? "1" : "0", ...budgetArgs, s.ladder.join(","), String(s.windowMinutes), String(s.now)] };
}

/** Figures in the script's order: level code, state (1 new, 2 standing), ttl ms, unverified, sends, verified, budget, step, in flight, unconverted, weight %, ratio %, vouched. */
export const FIGURE_COUNT = 13;

export function figuresFromReply(r: number[], shadow: boolean): PumpFigures {
  const [level, , ttlMs, unverified, sends, verified, budget, escalationStep, inFlight, unconverted, weightPct, ratioPct, vouched] = r;
  return {
    level: LEVELS[level - 1], shadow, unverified, sends, verified, budget, escalationStep, blockSeconds: Math.round(ttlMs / 1000),
    inFlight, unconverted, weight: weightPct / 100, ratio: ratioPct / 100, vouched,
  };
}
