import type { DataSource } from "typeorm";
import { badInput } from "../../errors";
import { isUuid } from "../../verification/input-rules";
import { divide, isPositive } from "./decimal-money";
import { KEY_FIELD, KEY_SQL, SpendKey } from "./spend-keys";

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
  mainCurrency: string | null;
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
  if (groupBy.some((k) => !(k in KEY_SQL))) throw badInput("groupBy", "unknown key");
  const appId = q.appId ?? null;
  if (appId !== null) {
    const known = isUuid(appId) && (await ds.query(`SELECT 1 FROM apps WHERE id = $1`, [appId])).length > 0;
    if (!known) throw badInput("appId", "no such app");
  }
  return { from, to, appId, groupBy };
}

/**
 * Spend and conversion over [from, to), for one app or all, grouped by up to three keys.
 * The period is the verifications' (a verification's deliveries count with it, whenever they
 * went out), so cost per verified user divides what was spent on exactly the verifications it
 * counts. Conversion is approved ÷ verifications (0 when none); cost is one entry per currency,
 * never added across currencies. The scan starts from `verifications_created` (or
 * `verifications_app_created` with an app) bounded by the period, and reaches deliveries through
 * `deliveries_verification`: nothing outside the period is read.
 */
export async function spendAndConversion(ds: DataSource, query: SpendQuery): Promise<SpendReport> {
  const { from, to, appId, groupBy } = await checkSpendQuery(ds, query);
  const totals = (await aggregate(ds, from, to, appId, []))[0];
  const rows = groupBy.length ? await aggregate(ds, from, to, appId, groupBy) : [];
  if (groupBy.includes(SpendKey.APP)) await nameApps(ds, rows);
  return {
    from, to, appId, groupBy,
    lowConversionThreshold: LOW_CONVERSION,
    mainCurrency: totals.mainCurrency,
    totals: totals.row,
    rows: rows.map((r) => r.row).sort(order(groupBy)),
  };
}

interface Aggregated { row: SpendRow; mainCurrency: string | null }

/** The two statements of one aggregation (counts, and costs per currency) and their parameters; exported so a test can EXPLAIN them. */
export function spendSql(from: Date, to: Date, appId: string | null, keys: SpendKey[]) {
  const params: unknown[] = [from, to];
  let where = `v.created_at >= $1 AND v.created_at < $2`;
  if (appId) {
    params.push(appId);
    where += ` AND v.app_id = $3`;
  }
  const keyCols = keys.map((k, i) => `${KEY_SQL[k]} AS k${i}`);
  const groupCols = keys.map((_, i) => `k${i}`);
  const source = `verifications v LEFT JOIN deliveries d ON d.verification_id = v.id WHERE ${where}`;
  const counts = `SELECT ${[...keyCols,
    `count(DISTINCT v.id)::int AS verifications`,
    `count(DISTINCT v.id) FILTER (WHERE v.status = 'APPROVED')::int AS approved`,
    `count(d.id) FILTER (WHERE d.status NOT IN ('QUEUED', 'SENDING'))::int AS attempts`,
    `count(d.id) FILTER (WHERE d.price_amount IS NOT NULL)::int AS priced`].join(", ")}
       FROM ${source}${groupCols.length ? ` GROUP BY ${groupCols.join(", ")}` : ""}`;
  const costs = `SELECT ${[...keyCols, `d.price_currency AS currency`, `sum(d.price_amount)::text AS amount`, `count(*)::int AS n`].join(", ")}
       FROM ${source} AND d.price_amount IS NOT NULL AND d.price_currency IS NOT NULL
      GROUP BY ${[...groupCols, "currency"].join(", ")} ORDER BY currency`;
  return { counts, costs, params };
}

async function aggregate(ds: DataSource, from: Date, to: Date, appId: string | null, keys: SpendKey[]): Promise<Aggregated[]> {
  const sql = spendSql(from, to, appId, keys);
  const counts: Array<Record<string, any>> = await ds.query(sql.counts, sql.params);
  const costs: Array<Record<string, any>> = await ds.query(sql.costs, sql.params);
  const id = (r: Record<string, any>) => JSON.stringify(keys.map((_, i) => r[`k${i}`] ?? null));
  const costBy = new Map<string, Array<{ currency: string; amount: string; n: number }>>();
  for (const c of costs) costBy.set(id(c), [...(costBy.get(id(c)) ?? []), { currency: c.currency, amount: c.amount, n: c.n }]);
  return counts.map((c) => {
    const cost = costBy.get(id(c)) ?? [];
    const conversionRate = c.verifications ? c.approved / c.verifications : 0;
    const row: SpendRow = {
      country: null, channel: null, provider: null, appId: null, appName: null, day: null,
      verifications: c.verifications,
      approved: c.approved,
      conversionRate,
      attempts: c.attempts,
      pricedAttempts: c.priced,
      cost: cost.map(({ amount, currency }) => ({ amount: normalize(amount), currency })),
      costPerVerified: c.approved ? cost.map(({ amount, currency }) => ({ amount: divide(amount, c.approved)!, currency })) : [],
      spendWithoutConversion: cost.some((m) => isPositive(m.amount)) && conversionRate < LOW_CONVERSION,
    };
    keys.forEach((k, i) => (row[KEY_FIELD[k]] = c[`k${i}`] ?? null));
    const main = [...cost].sort((a, b) => b.n - a.n || a.currency.localeCompare(b.currency))[0];
    return { row, mainCurrency: main?.currency ?? null };
  });
}

const normalize = (amount: string) => divide(amount, 1)!;

async function nameApps(ds: DataSource, rows: Aggregated[]) {
  const ids = [...new Set(rows.map((r) => r.row.appId).filter((x): x is string => !!x))];
  if (!ids.length) return;
  const names = new Map<string, string>((await ds.query(`SELECT id::text, name FROM apps WHERE id = ANY($1::uuid[])`, [ids])).map((a: any) => [a.id, a.name]));
  for (const r of rows) if (r.row.appId) r.row.appName = names.get(r.row.appId) ?? null;
}

/** Days in order; otherwise the busiest first, then by key so equal rows keep one order. */
function order(keys: SpendKey[]) {
  const label = (r: SpendRow) => keys.map((k) => r[KEY_FIELD[k]] ?? "").join("\u0000");
  return (a: SpendRow, b: SpendRow) => {
    if (keys.includes(SpendKey.DAY) && a.day !== b.day) return (a.day ?? "").localeCompare(b.day ?? "");
    return b.verifications - a.verifications || label(a).localeCompare(label(b));
  };
}
