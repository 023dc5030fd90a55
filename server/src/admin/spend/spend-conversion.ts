import type { DataSource } from "typeorm";
import { badInput } from "../../errors";
import { SUMMARY_PLAN, summarize, type SummaryRowView } from "../../attempts/summary-query";
import { trimDecimal } from "../../attempts/money";
import { isUuid } from "../../verification/input-rules";
import { divide, isPositive } from "./decimal-money";
import { SPEND_KEYS, SpendKey } from "./spend-keys";

/**
 * The summary's plan settings (SUMMARY_PLAN: no hash or merge joins, no JIT), for this
 * transaction only: the live part of the period is looked up by index, attempt by attempt.
 */
export const BOUNDED_PLAN = SUMMARY_PLAN;

/** A country (or channel, provider, app, day) with spend and conversion below this share stands out. */
export const LOW_CONVERSION = 0.1;
/** The longest period one report covers: a year and a day (a leap year's whole). */
export const MAX_PERIOD_DAYS = 366;

export interface Money { amount: string; currency: string }
export interface SpendRow {
  country: string | null;
  channel: string | null;
  provider: string | null;
  appId: string | null;
  appName: string | null;
  day: string | null;
  verifications: number;
  approved: number;
  conversionRate: number;
  attempts: number;
  pricedAttempts: number;
  cost: Money[];
  costPerVerified: Money[];
  spendWithoutConversion: boolean;
}
export interface SpendReport {
  from: Date;
  to: Date;
  appId: string | null;
  groupBy: SpendKey[];
  lowConversionThreshold: number;
  totals: SpendRow;
  rows: SpendRow[];
}
export interface SpendQuery { from: Date; to: Date; appId?: string | null; groupBy?: SpendKey[] | null }

/** Checks a report's arguments; a bad one is BAD_USER_INPUT naming it, before any query runs. */
export async function checkSpendQuery(ds: DataSource, q: SpendQuery): Promise<{ from: Date; to: Date; appId: string | null; groupBy: SpendKey[] }> {
  const { from, to } = q;
  if (!(from instanceof Date) || Number.isNaN(from.getTime())) throw badInput("from", "from must be a date-time");
  if (!(to instanceof Date) || Number.isNaN(to.getTime())) throw badInput("to", "to must be a date-time");
  if (to.getTime() <= from.getTime()) throw badInput("to", "to must be after from");
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw badInput("to", `a period is at most ${MAX_PERIOD_DAYS} days`);
  const groupBy = q.groupBy ?? [];
  if (groupBy.length > 3) throw badInput("groupBy", "group by at most 3 keys");
  if (new Set(groupBy).size !== groupBy.length) throw badInput("groupBy", "a key is given twice");
  if (groupBy.some((k) => !SPEND_KEYS.has(k))) throw badInput("groupBy", "unknown key");
  const appId = q.appId ?? null;
  if (appId !== null) {
    const known = isUuid(appId) && (await ds.query(`SELECT 1 FROM apps WHERE id = $1`, [appId])).length > 0;
    if (!known) throw badInput("appId", "no such app");
  }
  return { from, to, appId, groupBy };
}

/**
 * Spend and conversion over the attempts of [from, to), for one app or all, grouped by up to
 * three keys: the client API's `verificationSummary` figures (the same `summarize`, so the
 * dashboard and an app's own reports agree), with what the dashboard adds on top — cost per
 * verified user (spend ÷ approved, exact, per currency: currencies are never added), app names,
 * and a flag on spend with (almost) no conversion. Whole hours come from the hourly rollup, the
 * rest of the period through `deliveries_created` (or `deliveries_app_created`), each attempt's
 * verification by primary key (BOUNDED_PLAN).
 */
export async function spendAndConversion(ds: DataSource, query: SpendQuery): Promise<SpendReport> {
  const { from, to, appId, groupBy } = await checkSpendQuery(ds, query);
  // One snapshot, so the totals and the rows add up; and a plan bounded by the period (below).
  const [total, grouped] = await ds.transaction("REPEATABLE READ", async (m) => {
    for (const setting of BOUNDED_PLAN) await m.query(setting);
    const db = m as unknown as DataSource; // summarize only runs `query`
    return [(await summarize(db, { appId, from, to, groupBy: [] }))[0], groupBy.length ? await summarize(db, { appId, from, to, groupBy }) : []];
  });
  const names = groupBy.includes(SpendKey.APP) ? await appNames(ds, grouped) : new Map<string, string>();
  const rows = grouped.map((r) => spendRow(r, names));
  return {
    from, to, appId, groupBy,
    lowConversionThreshold: LOW_CONVERSION,
    totals: total ? spendRow(total, names) : spendRow(EMPTY, names),
    rows: rows.sort(order(groupBy)),
  };
}

const EMPTY: SummaryRowView = { country: null, channel: null, provider: null, day: null, verifications: 0, approved: 0, conversionRate: 0, attempts: 0, pricedAttempts: 0, cost: [] };

function spendRow(r: SummaryRowView, names: Map<string, string>): SpendRow {
  const appId = r.appId ?? null;
  return {
    country: r.country,
    channel: r.channel,
    provider: r.provider,
    appId,
    appName: appId ? names.get(appId) ?? null : null,
    day: r.day,
    verifications: r.verifications,
    approved: r.approved,
    conversionRate: r.conversionRate,
    attempts: r.attempts,
    pricedAttempts: r.pricedAttempts ?? 0,
    cost: r.cost,
    costPerVerified: r.approved ? r.cost.map((m) => ({ amount: trimDecimal(divide(m.amount, r.approved)!), currency: m.currency })) : [],
    spendWithoutConversion: r.cost.some((m) => isPositive(m.amount)) && r.conversionRate < LOW_CONVERSION,
  };
}

async function appNames(ds: DataSource, rows: SummaryRowView[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.appId).filter((x): x is string => !!x))];
  if (!ids.length) return new Map();
  return new Map((await ds.query(`SELECT id::text, name FROM apps WHERE id = ANY($1::uuid[])`, [ids])).map((a: any) => [a.id, a.name]));
}

/** Days oldest first (a chart's order); otherwise the busiest first, then by key so equal rows keep one order. */
function order(keys: SpendKey[]) {
  const label = (r: SpendRow) => [r.day, r.appName ?? r.appId, r.country, r.channel, r.provider].map((v) => v ?? "").join("\u0000");
  return (a: SpendRow, b: SpendRow) => {
    if (keys.includes(SpendKey.DAY) && a.day !== b.day) return (a.day ?? "").localeCompare(b.day ?? "");
    return b.verifications - a.verifications || label(a).localeCompare(label(b));
  };
}
