/**
 * What the pumping guard hands the ordered limits (one `pump` step), and what comes back. The
 * policy (which budgets, what a block records) is the guard's (protection/pumping-guard.ts); the
 * counting is the limiter's, in Redis (pump-lua.ts) or in memory (pump-memory.ts).
 */
/** An app's number prefix; its country's fresh prefixes (no history); its country's known prefixes. */
export type PumpLevel = "prefix" | "country" | "country_known";
export const LEVEL_CODES: Record<PumpLevel, number> = { prefix: 1, country: 2, country_known: 3 };
const LEVELS: PumpLevel[] = ["prefix", "country", "country_known"];

/** Unverified sends in the last hour may reach max(floor, share × verified sends in the last 24 h). */
export interface PumpBudget { floor: number; share: number }

/**
 * Which budgets a send was counted on, stored on its verification so that an approval moves it
 * back: "prefix" (its prefix only: the country level is off), "fresh" (its prefix and the
 * country's fresh prefixes), "known" (its prefix and the country's known prefixes), or null (not
 * counted: e-mail, a test destination, the safe list, the guard off).
 */
export type PumpScope = "prefix" | "fresh" | "known" | null;
export const SCOPES: PumpScope[] = [null, "prefix", "fresh", "known"];

export interface PumpStep {
  appId: string;
  prefix: { value: string; budget: PumpBudget } | null;
  country: { value: string; budget: PumpBudget } | null;
  /** false: record_only (shadow): would-be blocks are recorded, nothing is refused. */
  enforce: boolean;
  /** Block durations in seconds for the 1st, 2nd, 3rd… block of a key within a day. */
  ladder: number[];
  /** A new block (enforced: before the refusal is thrown; shadow: after the send was let through). */
  onBlock(figures: PumpFigures): Promise<void>;
  /** Set by the run once the send passed: where it was counted. */
  scope?: PumpScope;
}

/** A level's figures at the moment it was judged over its budget. */
export interface PumpFigures {
  level: PumpLevel;
  shadow: boolean;
  /** Unverified sends in the last hour (before this one). */
  unverified: number;
  /** All sends in the last hour. */
  sends: number;
  /** Verified sends in the last 24 hours: the history the budget was judged against. */
  verified: number;
  budget: number;
  /** 1 for the first block of this key within a day, 2 for the second… */
  escalationStep: number;
  blockSeconds: number;
}

export const PUMP_WINDOW_SECONDS = 3600;
export const PUMP_HISTORY_SECONDS = 86_400;

export interface PumpKeys { block: string; escalation: string; counts: string }

/** The storage keys of one level: the counts are shared by both modes, blocks are not. */
export function pumpKeys(prefix: string, level: PumpLevel, appId: string, value: string, shadow: boolean): PumpKeys {
  const base = `${prefix}pump:${level}:${appId}:${value}`;
  return { block: `${base}:${shadow ? "sblock" : "block"}`, escalation: `${base}:${shadow ? "sesc" : "esc"}`, counts: `${base}:counts` };
}

/** The step's keys and ARGV for the ordered script (see PUMP_LUA_OP). */
export function pumpScriptArgs(redisPrefix: string, s: PumpStep): { keys: string[]; args: string[] } {
  const shadow = !s.enforce;
  const keys = LEVELS.flatMap((level) => {
    const k = pumpKeys(redisPrefix, level, s.appId, (level === "prefix" ? s.prefix?.value : s.country?.value) ?? "-", shadow);
    return [k.block, k.escalation, k.counts];
  });
  return {
    keys,
    args: [
      "p", s.enforce ? "1" : "0",
      String(s.prefix ? s.prefix.budget.floor : -1), String(s.prefix?.budget.share ?? 0),
      String(s.country ? s.country.budget.floor : -1), String(s.country?.budget.share ?? 0),
      s.ladder.join(","),
    ],
  };
}

/** Figures from the script's reply (level code, state, ttl ms, unverified, sends, verified, budget, step). */
export function figuresFromReply(r: number[], shadow: boolean): PumpFigures {
  const [level, , ttlMs, unverified, sends, verified, budget, escalationStep] = r;
  return { level: LEVELS[level - 1], shadow, unverified, sends, verified, budget, escalationStep, blockSeconds: Math.round(ttlMs / 1000) };
}
