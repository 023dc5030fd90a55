import { RISK_FACTOR_TEXT, type RiskFactor } from "./risk-factors";
import { hasChanceRoom } from "./pump-step";

/**
 * A block in plain words, for the dashboard's block page, the verification timeline and the
 * CLI: one sentence saying what was refused and why, the figures it was judged on, and its risk
 * factors. Built from the stored row alone (rule, hits, limit, details), so old rows read too.
 */
export interface BlockExplanation {
  summary: string;
  figures: Array<{ label: string; value: string }>;
  riskFactors: Array<{ code: string; text: string }>;
}

const duration = (s: number): string => {
  if (s % 86_400 === 0) return `${s / 86_400} day${s === 86_400 ? "" : "s"}`;
  if (s % 3600 === 0) return `${s / 3600} hour${s === 3600 ? "" : "s"}`;
  if (s % 60 === 0) return `${s / 60} minute${s === 60 ? "" : "s"}`;
  return `${s} second${s === 1 ? "" : "s"}`;
};
const n = (v: unknown) => Number(v ?? 0).toLocaleString("en-US");
const ordinal = (k: number) => (k === 1 ? "first" : k === 2 ? "second" : k === 3 ? "third" : `${k}th`);

const WHERE: Record<string, string> = {
  pumping_prefix: "this number range",
  pumping_country: "new number ranges of this country (ranges with no verified code in the last day)",
  pumping_country_known: "the number ranges of this country that real users come from",
};

const LIMITS: Record<string, string> = {
  sends_per_ip: "codes requested from one client IP",
  sends_per_destination: "codes sent to one destination",
  sends_per_prefix: "codes sent to one number range",
  sends_per_country: "codes sent to one country",
  app_hourly_budget: "codes the app may send per hour",
  verify_failures_per_destination: "wrong codes entered for one destination",
  verify_failures_per_destination_day: "wrong codes entered for one destination in a day",
  verify_failures_per_ip: "wrong codes entered from one client IP",
};

export function explainBlock(rule: string, hits: number, limit: number, details: Record<string, any> = {}, shadow = false): BlockExplanation {
  const d = details ?? {};
  const factors = ((d.riskFactors ?? []) as RiskFactor[]).filter((f) => f in RISK_FACTOR_TEXT).map((code) => ({ code, text: RISK_FACTOR_TEXT[code] }));
  if (rule in WHERE) {
    const verb = shadow ? "would have been refused (record_only: nothing was refused)" : "were refused";
    const step = d.escalationStep > 1 ? `, the ${ordinal(d.escalationStep)} block of this key within a day` : "";
    return {
      summary: `Sends to ${WHERE[rule]} ${verb} for ${duration(d.blockSeconds ?? 0)}${step}: ${n(d.unverified)} codes sent in the last hour were not entered, and its record of real users allows ${n(d.budget)}.`,
      figures: [
        { label: "Unverified sends, last hour", value: n(d.unverified) },
        { label: "All sends, last hour", value: n(d.sends) },
        { label: "Verified sends, last 24 hours (the history)", value: n(d.verified) },
        // Rows from before #19 stored the level's `share`; later ones the ratio it was judged with.
        // Since December 8 the record's room carries 3 standard deviations of chance (pump-step.ts, NOISE_SIGMAS).
        { label: "Allowed unverified", value: `${n(d.budget)} = max(floor ${n(d.floor)}, ${d.ratio ?? d.share} × ${n(d.verified)} verified${hasChanceRoom(d.level) && (d.ratio ?? 0) * (d.verified ?? 0) >= 1 ? " + room for chance" : ""})` },
        ...(d.vouched ? [{ label: "Open codes vouched for (sent before a proof of the last two minutes, 3 per proof)", value: n(d.vouched) }] : []),
        ...(d.distinctNumbers !== undefined ? [{ label: "Requests in the last hour to distinct numbers / from distinct IPs", value: `${n(d.requestsLastHour)} to ${n(d.distinctNumbers)} / from ${n(d.distinctIps)}` }] : []),
        ...(rule !== "pumping_prefix" && d.distinctPrefixes !== undefined ? [{ label: "Distinct number ranges", value: n(d.distinctPrefixes) }] : []),
        d.soft
          ? { label: "Block", value: `none standing: each send is judged again; the refused one may retry after ${duration(d.blockSeconds ?? 0)} (real users verify in this scope, or the level is app-wide)` }
          : { label: "Block", value: `${duration(d.blockSeconds ?? 0)} (${ordinal(d.escalationStep ?? 1)} step of ${(d.ladder ?? []).map(duration).join(" → ")})` },
        { label: "Mode", value: d.mode === "record_only" ? "record_only (shadow)" : "enforce" },
      ],
      riskFactors: factors,
    };
  }
  if (rule === "spend_ceiling_paid" || rule === "spend_ceiling_email") {
    const what = rule === "spend_ceiling_paid" ? "paid sends (SMS, voice, WhatsApp, Telegram, RCS and the other phone channels)" : "e-mail sends";
    return {
      summary: `The app reached its daily spend ceiling: ${n(limit)} ${what} per 24 hours. Further ${what} are refused until the window ends or the block is lifted.`,
      figures: [{ label: "Ceiling", value: `${n(limit)} per 24 hours` }, { label: "Requests counted", value: n(hits) }],
      riskFactors: factors,
    };
  }
  if (rule === "sim_swap") {
    // Recorded by requestOtp under an app's simSwap "refuse" (verification-service.ts): one refused request, nothing blocked after it.
    return {
      summary: `A code was refused: the number's SIM card changed within the last ${d.maxAgeHours ?? "?"} hours (CAMARA SIM Swap check; the app's setting refuses). The user should verify another way; each new request is checked again.`,
      figures: [{ label: "Max age", value: `${n(d.maxAgeHours)} hours` }, { label: "Channel", value: String(d.channel ?? "") }],
      riskFactors: [],
    };
  }
  if (rule === "resend_cooldown") {
    return { summary: "A resend was asked for before the cooldown ended.", figures: [{ label: "Sends so far", value: n(limit) }], riskFactors: [] };
  }
  const window = d.windowSeconds ? ` per ${duration(d.windowSeconds)}` : "";
  return {
    summary: `Too many ${LIMITS[rule] ?? `requests under "${rule}"`}: ${n(hits)} counted, ${n(limit)} allowed${window}.`,
    figures: [{ label: "Counted", value: n(hits) }, { label: "Allowed", value: `${n(limit)}${window}` }],
    riskFactors: factors,
  };
}
