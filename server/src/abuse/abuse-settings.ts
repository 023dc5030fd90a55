import { z } from "zod";

/**
 * Per-app abuse limits, kept in `apps.settings.limits` (jsonb) so that the dashboard and the
 * CLI edit them without a migration per knob. Every limit has a safe default; an app
 * overrides one by naming it, or switches it off with `null` (except the NIST daily cap on
 * failed verifications, which can only be lowered).
 */
export interface WindowLimit { max: number; windowSeconds: number }

/** When a prefix (or country) sends much and converts little, it is blocked for a while. */
export interface PumpingThresholds {
  /** Settled sends in the window before conversion is judged at all. */
  minSends: number;
  /** Block when approved ÷ sent falls below this (0.1 = 10 %). */
  minConversion: number;
  windowSeconds: number;
  blockSeconds: number;
  /** Judge at most once per this many seconds per key (0: on every send); big countries are costly to count. */
  evaluateEverySeconds: number;
}

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
  pumping: { prefix: PumpingThresholds | null; country: PumpingThresholds | null };
}

export const NIST_DAILY_FAILURE_CAP = 100;

export const DEFAULT_LIMITS: AbuseLimits = {
  sendsPerIp: { max: 50, windowSeconds: 3600 },
  sendsPerPrefix: { max: 100, windowSeconds: 3600 },
  sendsPerCountry: { max: 1000, windowSeconds: 3600 },
  verifyFailuresPerDestination: { max: 10, windowSeconds: 3600 },
  verifyFailuresPerDestinationAllIps: { max: 50, windowSeconds: 3600 },
  verifyFailuresPerDestinationPerDay: NIST_DAILY_FAILURE_CAP,
  verifyFailuresPerIp: { max: 50, windowSeconds: 3600 },
  totpFailuresPerFactor: { max: 5, windowSeconds: 15 * 60 },
  pumping: {
    prefix: { minSends: 20, minConversion: 0.1, windowSeconds: 3600, blockSeconds: 3600, evaluateEverySeconds: 0 },
    country: { minSends: 200, minConversion: 0.05, windowSeconds: 3600, blockSeconds: 3600, evaluateEverySeconds: 30 },
  },
};

const WEEK = 7 * 86_400;
const windowLimit = z.object({ max: z.number().int().min(1).max(10_000_000), windowSeconds: z.number().int().min(1).max(WEEK) }).strict();
const pumping = z
  .object({
    minSends: z.number().int().min(1).max(10_000_000),
    minConversion: z.number().min(0).max(1),
    windowSeconds: z.number().int().min(60).max(WEEK),
    blockSeconds: z.number().int().min(1).max(30 * 86_400),
    evaluateEverySeconds: z.number().int().min(0).max(3600),
  })
  .partial()
  .strict();

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
    pumping: z.object({ prefix: pumping.nullable(), country: pumping.nullable() }).partial().strict(),
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
  const o = settings?.limits ?? {};
  const pick = <K extends keyof AbuseLimits>(k: K): AbuseLimits[K] => (o[k] === undefined ? DEFAULT_LIMITS[k] : (o[k] as AbuseLimits[K]));
  const level = (k: "prefix" | "country"): PumpingThresholds | null => {
    const v = o.pumping?.[k];
    if (v === null) return null;
    return { ...DEFAULT_LIMITS.pumping[k]!, ...(v ?? {}) } as PumpingThresholds;
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
    pumping: { prefix: level("prefix"), country: level("country") },
  };
}
