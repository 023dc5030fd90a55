import type { DataSource } from "typeorm";
import type { Channel } from "../verification/enums";
import { trimDecimal, type MoneyView } from "./money";
import { firstMaskSql, keyBit } from "./rollup/first-mask";

/** APP is the dashboard's alone (a client app only ever sees itself); the client API's enum has the other four. */
export type SummaryKey = "COUNTRY" | "CHANNEL" | "PROVIDER" | "DAY" | "APP";

export interface SummaryRowView {
  /** The keys asked for; null for the others (and for a verification with no country, e.g. e-mail). */
  country: string | null;
  channel: Channel | null;
  provider: string | null;
  /** Filled for the dashboard's APP key (optional: the client API's rows have no such field). */
  appId?: string | null;
  /** UTC day, "2026-12-07". */
  day: string | null;
  verifications: number;
  approved: number;
  /** approved / verifications; 0 when there are none. */
  conversionRate: number;
  /** Deliveries handed to a vendor (SENT, DELIVERED or UNDELIVERED). */
  attempts: number;
  /** Of those, the ones whose price is known (the dashboard says how many went unpriced). */
  pricedAttempts?: number;
  /** One entry per currency, by currency code; deliveries with no known price add nothing. */
  cost: MoneyView[];
}

export interface SummaryQuery {
  /** null: every app (the dashboard's overall view). */
  appId?: string | null;
  from: Date;
  to: Date;
  groupBy?: readonly SummaryKey[] | null;
  /** When set, nothing older than this many days counts (the client API passes RETENTION_DAYS). */
  retentionDays?: number | null;
}

/** Each key's expression over a row of the union `u` below (an hour of the rollup, or a live attempt). */
const KEY_SQL: Record<SummaryKey, { column: keyof SummaryRowView; sql: string }> = {
  COUNTRY: { column: "country", sql: "u.country" },
  CHANNEL: { column: "channel", sql: "u.channel" },
  PROVIDER: { column: "provider", sql: "u.provider" },
  DAY: { column: "day", sql: "to_char(u.at AT TIME ZONE 'UTC', 'YYYY-MM-DD')" },
  APP: { column: "appId", sql: "u.app_id::text" },
};
const ORDER: SummaryKey[] = ["DAY", "APP", "COUNTRY", "CHANNEL", "PROVIDER"];

/**
 * For the summary's transaction only. The planner can't know how few attempts the live part
 * holds (an hour or two of a month: it guesses a thousand times more) and would hash or merge
 * them with the whole deliveries and verifications tables; without those joins it looks each one
 * up by index, in proportion to the live attempts. And those guesses would make it JIT-compile
 * the statement: seconds of compiling for a query that runs in a tenth of one.
 */
export const SUMMARY_PLAN = ["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off", "SET LOCAL jit = off"];

/** `summarize` in its own transaction with SUMMARY_PLAN (the client API's; the dashboard sets it in its own). */
export function summarizeBounded(ds: DataSource, q: SummaryQuery): Promise<SummaryRowView[]> {
  return ds.transaction(async (m) => {
    for (const setting of SUMMARY_PLAN) await m.query(setting);
    return summarize(m as unknown as DataSource, q); // summarize only runs `query`
  });
}

/** Statuses of a delivery a vendor accepted: the ones that count as an attempt (and can cost money). */
export const HANDED_TO_VENDOR = ["SENT", "DELIVERED", "UNDELIVERED"] as const;
const HANDED = HANDED_TO_VENDOR.map((s) => `'${s}'`).join(", ");

/**
 * Conversion and spend over the attempts (deliveries) created in [from, to), grouped by the keys
 * asked for. A verification counts once per row it has an attempt in: with CHANNEL or PROVIDER a
 * verification whose code went out over two (a fallback, a failover) counts in both rows; without
 * them it counts once.
 *
 * Served from the hourly rollup (rollup/roll-hours.ts) for every whole hour of the period that is
 * rolled and not marked dirty since, and live — each attempt joined to its verification by
 * primary key — for the rest: the period's partial first and last hours (the retention window's
 * edge among them), the current hour, and any hour not (yet again) rolled. Distinct verifications
 * are sums of first-attempt marks (rollup/first-mask.ts); the rollup's marks look at all of a
 * verification's attempts, the period's at those in the period, and they differ only for a
 * verification with attempts both before the period and in it — found through
 * attempt_rollup_spans and recounted live. One statement, one snapshot; GROUPING SETS gives each
 * group's totals and its per-currency sums together.
 */
export async function summarize(ds: DataSource, q: SummaryQuery): Promise<SummaryRowView[]> {
  const keys = ORDER.filter((k) => q.groupBy?.includes(k));
  const params: unknown[] = [q.from, q.to, q.retentionDays ?? null, ...(q.appId ? [q.appId] : [])];
  const app = (col: string) => (q.appId ? `AND ${col} = $4` : "");
  const mask = firstMaskSql("a");
  const bit = keyBit(keys);
  const keyCols = keys.map((k) => `${KEY_SQL[k].sql} AS k_${k.toLowerCase()}`);
  const keyRefs = keys.map((k) => `k_${k.toLowerCase()}`);
  const rows: SummarySqlRow[] =
    await ds.query(
      `WITH b AS (
         SELECT CASE WHEN $3::int IS NULL THEN $1::timestamptz ELSE greatest($1::timestamptz, now() - make_interval(days => $3::int)) END AS lo,
                $2::timestamptz AS hi
       ),
       clean AS (
         SELECT h.hour FROM attempt_rollup_hours h, b
          WHERE h.hour >= b.lo AND h.hour + interval '1 hour' <= b.hi
            AND NOT EXISTS (SELECT 1 FROM attempt_rollup_dirty x WHERE x.hour = h.hour)
       ),
       live AS (
         SELECT greatest(g, b.lo) AS s, least(g + interval '1 hour', b.hi) AS e
           FROM b, generate_series(date_trunc('hour', b.lo, 'UTC'), b.hi, interval '1 hour') g
          WHERE g < b.hi AND b.lo < b.hi AND NOT ${isClean("g")}
       ),
       vs AS (
         -- One index range per live hour (OFFSET 0 keeps the planner from turning it into one join over the whole table).
         SELECT d.verification_id FROM live, LATERAL (
           SELECT d.verification_id FROM deliveries d WHERE d.created_at >= live.s AND d.created_at < live.e ${app("d.app_id")} OFFSET 0
         ) d
         UNION
         SELECT s.verification_id FROM attempt_rollup_spans s, b
          WHERE tstzrange(s.first_at, s.last_at, '[]') @> b.lo AND s.first_at < b.lo ${app("s.app_id")}
       ),
       whole AS (
         SELECT a.id, a.verification_id, a.app_id, a.channel, a.provider, a.status, a.price_amount, a.price_currency, a.created_at,
                ${mask} AS whole_mask
           FROM vs JOIN deliveries a ON a.verification_id = vs.verification_id
       ),
       period AS (
         SELECT a.*, ${mask} AS period_mask,
                ${isClean("date_trunc('hour', a.created_at, 'UTC')")} AS rolled
           FROM whole a, b WHERE a.created_at >= b.lo AND a.created_at < b.hi
       ),
       u AS (
         SELECT r.hour AS at, r.app_id, r.country, r.channel, r.provider, r.currency, r.first_mask AS mask, r.converted,
                r.deliveries AS n, r.deliveries, r.attempts, r.priced, r.amount
           FROM clean c JOIN attempt_rollup r ON r.hour = c.hour ${app("r.app_id")}
         UNION ALL
         SELECT p.created_at, p.app_id, v.destination_country, p.channel, p.provider, p.price_currency, p.period_mask, v.status = 'APPROVED',
                1, 1, (p.status IN (${HANDED}))::int, (p.status IN (${HANDED}) AND p.price_amount IS NOT NULL)::int, p.price_amount
           FROM period p JOIN verifications v ON v.id = p.verification_id WHERE NOT p.rolled
         UNION ALL
         -- A rolled attempt of a verification read live: counted by the period's mark instead of the rollup's.
         SELECT p.created_at, p.app_id, v.destination_country, p.channel, p.provider, p.price_currency, m.mask, v.status = 'APPROVED',
                m.n, 0, 0, 0, NULL
           FROM period p JOIN verifications v ON v.id = p.verification_id,
                LATERAL (VALUES (p.period_mask, 1), (p.whole_mask, -1)) m (mask, n)
          WHERE p.rolled AND p.period_mask <> p.whole_mask
       )
       SELECT ${[...keyRefs, ""].join(", ")}
              GROUPING(u.currency) = 0 AS by_currency, u.currency,
              coalesce(sum(u.n) FILTER (WHERE u.mask & ${bit} <> 0), 0)::text AS verifications,
              coalesce(sum(u.n) FILTER (WHERE u.mask & ${bit} <> 0 AND u.converted), 0)::text AS approved,
              sum(u.attempts)::text AS attempts,
              sum(u.priced)::text AS priced,
              sum(u.amount)::text AS amount
         FROM (SELECT ${[...keyCols, ""].join(", ")} u.* FROM u) u
        GROUP BY GROUPING SETS ((${keyRefs.join(", ")}), (${[...keyRefs, "u.currency"].join(", ")}))
       -- Groups of attempts only (not of corrections alone); and with no keys the one overall row, even of nothing.
       HAVING sum(u.deliveries) > 0${keys.length ? "" : " OR GROUPING(u.currency) = 1"}`,
      params,
    );
  return summaryRows(rows, keys);
}

/** The CTE `clean`'s test for one hour, by primary keys (a scan of the CTE per hour or attempt would cost more). */
function isClean(hour: string): string {
  return `(${hour} >= b.lo AND ${hour} + interval '1 hour' <= b.hi
           AND EXISTS (SELECT 1 FROM attempt_rollup_hours h WHERE h.hour = ${hour})
           AND NOT EXISTS (SELECT 1 FROM attempt_rollup_dirty x WHERE x.hour = ${hour}))`;
}

/** One row of a summary's SQL: a group's totals (by_currency false) or one of its per-currency sums. */
export type SummarySqlRow = Record<string, string | null> & {
  by_currency: number; verifications: string; approved: string; attempts: string; priced: string; amount: string | null; currency: string | null;
};

/**
 * A summary's SQL rows as the API's rows: each group's totals with its costs per currency (the
 * GROUPING SETS pass gives both), newest day first, then the biggest groups. Keys are read from
 * the `k_<key>` columns the query selects.
 */
export function summaryRows(rows: SummarySqlRow[], keys: SummaryKey[]): SummaryRowView[] {
  const keyRefs = keys.map((k) => `k_${k.toLowerCase()}`);
  const byKey = new Map<string, SummaryRowView>();
  const keyOf = (r: Record<string, unknown>) => JSON.stringify(keyRefs.map((c) => r[c] ?? null));
  for (const r of rows) {
    if (r.by_currency) continue;
    const verifications = Number(r.verifications);
    const approved = Number(r.approved);
    const row: SummaryRowView = {
      country: null, channel: null, provider: null, appId: null, day: null,
      verifications, approved,
      conversionRate: verifications === 0 ? 0 : approved / verifications,
      attempts: Number(r.attempts),
      pricedAttempts: Number(r.priced),
      cost: [],
    };
    for (const k of keys) (row as unknown as Record<string, unknown>)[KEY_SQL[k].column] = r[`k_${k.toLowerCase()}`] ?? null;
    byKey.set(keyOf(r), row);
  }
  for (const r of rows) {
    if (!r.by_currency || r.currency === null || r.amount === null) continue;
    byKey.get(keyOf(r))?.cost.push({ amount: trimDecimal(r.amount), currency: r.currency });
  }
  const result = [...byKey.values()];
  for (const row of result) row.cost.sort((a, b) => a.currency.localeCompare(b.currency));
  // Newest day first, then the biggest groups: what a reader scans for.
  return result.sort((a, b) => (b.day ?? "").localeCompare(a.day ?? "") || b.verifications - a.verifications || keyText(a).localeCompare(keyText(b)));
}

function keyText(r: SummaryRowView): string {
  return `${r.country ?? ""}|${r.channel ?? ""}|${r.provider ?? ""}`;
}
