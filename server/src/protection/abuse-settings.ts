import { z } from "zod";
import type { PumpBudget } from "./pump-step";

/**
 * Per-app abuse limits, kept in `apps.settings.limits` (jsonb) so that the dashboard and the
 * CLI edit them without a migration per knob. Every limit has a safe default; an app
 * overrides one by naming it, or switches it off with `null` (except the NIST daily cap on
 * failed verifications, which can only be lowered).
 */
export interface WindowLimit { max: number; windowSeconds: number }

/**
 * The pumping guard (protection/pumping-guard.ts, model in pump-step.ts): per level, unconverted
 * sends of the last hour (open codes weighed by what the scope converts) may reach
 * floor + ratio × verified sends of the last day, the ratio being the app's own record of
 * abandoned codes once it has one, else the level's `share`. `country` budgets a country's fresh
 * prefixes and its known ones apart; `unproven` is one budget for every country without a
 * history; `app` for all fresh traffic together. A hard level (prefix, country) over its budget
 * is blocked for the next step of `blockSeconds` (a second block within a day lasts longer);
 * `record_only` records what would be refused.
 */
export interface PumpingSettings {
  mode: "enforce" | "record_only";
  prefix: PumpBudget | null;
  country: PumpBudget | null;
  unproven: PumpBudget | null;
  app: PumpBudget | null;
  blockSeconds: number[];
}

/** An optional cap on sends per 24 hours: paid channels (every phone channel: SMS, VOICE, WHATSAPP, TELEGRAM, RCS…) together, e-mail apart. */
export interface SpendCeiling { paidPerDay: number | null; emailPerDay: number | null }

export interface AbuseLimits {
  sendsPerIp: WindowLimit | null;
  sendsPerPrefix: WindowLimit | null;
  sendsPerCountry: WindowLimit | null;
  /** Failed verifications per (destination, client IP): one caller's budget for one number. */
  verifyFailuresPerDestination: WindowLimit | null;
  /** Failed verifications per destination from every IP: larger, so that locking a number out takes many addresses. */
  verifyFailuresPerDestinationAllIps: WindowLimit | null;
  /** NIST SP 800-63B 5.2.2: at most 100 consecutive failures per day; never off. */
  verifyFailuresPerDestinationPerDay: number;
  verifyFailuresPerIp: WindowLimit | null;
  /** Wrong TOTP codes per (factor, client IP); never off (a factor has no attempt count of its own). */
  totpFailuresPerFactor: WindowLimit;
  pumping: PumpingSettings;
  spendCeiling: SpendCeiling;
}

export const NIST_DAILY_FAILURE_CAP = 100;

export const DEFAULT_LIMITS: AbuseLimits = {
  sendsPerIp: { max: 50, windowSeconds: 3600 },
  // Raw send counts refuse real users on a campaign spike: off by default, the conversion budgets judge instead.
  sendsPerPrefix: null,
  sendsPerCountry: null,
  verifyFailuresPerDestination: { max: 10, windowSeconds: 3600 },
  verifyFailuresPerDestinationAllIps: { max: 50, windowSeconds: 3600 },
  verifyFailuresPerDestinationPerDay: NIST_DAILY_FAILURE_CAP,
  verifyFailuresPerIp: { max: 50, windowSeconds: 3600 },
  totpFailuresPerFactor: { max: 5, windowSeconds: 15 * 60 },
  pumping: {
    mode: "enforce",
    prefix: { floor: 10, share: 1 },
    country: { floor: 30, share: 1 },
    unproven: { floor: 30, share: 1 },
    app: { floor: 50, share: 1 },
    blockSeconds: [3600, 12 * 3600, 24 * 3600],
  },
  spendCeiling: { paidPerDay: null, emailPerDay: null },
};

const WEEK = 7 * 86_400;
const windowLimit = z.object({ max: z.number().int().min(1).max(10_000_000), windowSeconds: z.number().int().min(1).max(WEEK) }).strict();
const budget = z.object({ floor: z.number().int().min(0).max(1_000_000), share: z.number().min(0).max(100) }).partial().strict();
const pumping = z
  .object({
    mode: z.enum(["enforce", "record_only"]),
    prefix: budget.nullable(),
    country: budget.nullable(),
    unproven: budget.nullable(),
    app: budget.nullable(),
    blockSeconds: z.array(z.number().int().min(1).max(30 * 86_400)).min(1).max(10),
  })
  .partial()
  .strict();
const ceiling = z.number().int().min(1).max(100_000_000).nullable();

/** What an app may store: any subset; `null` turns a limit off. */
export const limitsSettingsSchema = z
  .object({
    sendsPerIp: windowLimit.nullable(),
    sendsPerPrefix: windowLimit.nullable(),
    sendsPerCountry: windowLimit.nullable(),
    verifyFailuresPerDestination: windowLimit.nullable(),
    verifyFailuresPerDestinationAllIps: windowLimit.nullable(),
    verifyFailuresPerDestinationPerDay: z.number().int().min(1).max(NIST_DAILY_FAILURE_CAP),
    verifyFailuresPerIp: windowLimit.nullable(),
    totpFailuresPerFactor: windowLimit,
    pumping,
    spendCeiling: z.object({ paidPerDay: ceiling, emailPerDay: ceiling }).partial().strict(),
  })
  .partial()
  .strict();

export type LimitsSettings = z.infer<typeof limitsSettingsSchema>;

/** Problems with an app's `settings.limits`, as sentences naming the setting. */
export function limitsProblems(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const parsed = limitsSettingsSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `limits.${i.path.join(".")}: ${i.message}`);
}

/** The limits in force for an app: its overrides over the defaults. Stored settings were validated on write. */
export function effectiveLimits(settings: { limits?: LimitsSettings } | null | undefined): AbuseLimits {
  // An app's settings object lives as long as its cached entity (replaced, never edited, when the
  // app changes): its limits are merged once, not on every send and verify (several times each).
  const known = settings ? merged.get(settings) : undefined;
  if (known) return known;
  const limits = mergeLimits(settings);
  if (settings) merged.set(settings, limits);
  return limits;
}

/** Shared, so read-only: callers never edit what effectiveLimits returns. */
const merged = new WeakMap<object, AbuseLimits>();

function mergeLimits(settings: { limits?: LimitsSettings } | null | undefined): AbuseLimits {
  const o = settings?.limits ?? {};
  const pick = <K extends keyof AbuseLimits>(k: K): AbuseLimits[K] => (o[k] === undefined ? DEFAULT_LIMITS[k] : (o[k] as AbuseLimits[K]));
  const level = (k: "prefix" | "country" | "unproven" | "app"): PumpBudget | null => {
    const v = o.pumping?.[k];
    return v === null ? null : ({ ...DEFAULT_LIMITS.pumping[k]!, ...(v ?? {}) } as PumpBudget);
  };
  return {
    sendsPerIp: pick("sendsPerIp"),
    sendsPerPrefix: pick("sendsPerPrefix"),
    sendsPerCountry: pick("sendsPerCountry"),
    verifyFailuresPerDestination: pick("verifyFailuresPerDestination"),
    verifyFailuresPerDestinationAllIps: pick("verifyFailuresPerDestinationAllIps"),
    verifyFailuresPerDestinationPerDay: Math.min(pick("verifyFailuresPerDestinationPerDay"), NIST_DAILY_FAILURE_CAP),
    verifyFailuresPerIp: pick("verifyFailuresPerIp"),
    totpFailuresPerFactor: pick("totpFailuresPerFactor"),
    pumping: {
      mode: o.pumping?.mode ?? DEFAULT_LIMITS.pumping.mode,
      prefix: level("prefix"),
      country: level("country"),
      unproven: level("unproven"),
      app: level("app"),
      blockSeconds: o.pumping?.blockSeconds ?? DEFAULT_LIMITS.pumping.blockSeconds,
    },
    spendCeiling: { ...DEFAULT_LIMITS.spendCeiling, ...(o.spendCeiling ?? {}) } as SpendCeiling,
  };
}
