import type { DataSource } from "typeorm";
import type { Channel } from "../verification/enums";
import { trimDecimal, type MoneyView } from "./money";

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

/** Each key's expression over the attempt (d) and its verification (v). */
const KEY_SQL: Record<SummaryKey, { column: keyof SummaryRowView; sql: string }> = {
  COUNTRY: { column: "country", sql: "v.destination_country" },
  CHANNEL: { column: "channel", sql: "d.channel" },
  PROVIDER: { column: "provider", sql: "d.provider" },
  DAY: { column: "day", sql: "to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')" },
  APP: { column: "appId", sql: "d.app_id::text" },
};
const ORDER: SummaryKey[] = ["DAY", "APP", "COUNTRY", "CHANNEL", "PROVIDER"];

/** Statuses of a delivery a vendor accepted: the ones that count as an attempt (and can cost money). */
export const HANDED_TO_VENDOR = ["SENT", "DELIVERED", "UNDELIVERED"] as const;

/**
 * Conversion and spend over the attempts (deliveries) created in [from, to), grouped by the keys
 * asked for. A verification counts once per row it has an attempt in: with CHANNEL or PROVIDER a
 * verification whose code went out over two (a fallback, a failover) counts in both rows; without
 * them it counts once. The attempts in range are read once (joined to their verification by
 * primary key) and aggregated twice by hashing — per verification then per row for the counts, per
 * row and currency for the cost — so no DISTINCT and no sort (an earlier GROUPING SETS version
 * sorted the whole range to disk: 3.9 s for 30 days on the bench's million attempts).
 */
export async function summarize(ds: DataSource, q: SummaryQuery): Promise<SummaryRowView[]> {
  const keys = ORDER.filter((k) => q.groupBy?.includes(k));
  const params: unknown[] = [q.from, q.to];
  // A verification is created with its first delivery, never after: v.created_at < to is exact, and prunes.
  const where = ["d.created_at >= $1", "d.created_at < $2", "v.created_at < $2"];
  if (q.appId) {
    params.push(q.appId);
    where.push(`d.app_id = $${params.length}`, `v.app_id = $${params.length}`);
  }
  if (q.retentionDays != null) {
    params.push(q.retentionDays);
    where.push(`d.created_at >= now() - make_interval(days => $${params.length})`);
  }
  const keyCols = keys.map((k) => `${KEY_SQL[k].sql} AS k_${k.toLowerCase()}, `).join("");
  const keyRefs = keys.map((k) => `k_${k.toLowerCase()}`);
  const lead = keyRefs.map((k) => `${k}, `).join("");
  const groupRow = keyRefs.length ? `GROUP BY ${keyRefs.join(", ")}` : "";
  const handed = HANDED_TO_VENDOR.map((s) => `'${s}'`).join(", ");
  const rows: Array<Record<string, string | null> & { by_currency: boolean; verifications: string | null; approved: string | null; attempts: string | null; priced: string | null; amount: string | null; currency: string | null }> =
    await ds.query(
      `WITH a AS MATERIALIZED (
         SELECT ${keyCols}d.verification_id, d.status, d.price_amount, d.price_currency, v.status = 'APPROVED' AS converted
           FROM deliveries d JOIN verifications v ON v.id = d.verification_id
          WHERE ${where.join(" AND ")}
       ),
       per_verification AS (
         SELECT ${lead}bool_or(converted) AS converted, count(*) FILTER (WHERE status IN (${handed})) AS attempts,
                count(*) FILTER (WHERE status IN (${handed}) AND price_amount IS NOT NULL) AS priced
           FROM a GROUP BY ${lead}verification_id
       )
       SELECT ${lead}false AS by_currency, NULL::text AS currency, count(*)::text AS verifications,
              count(*) FILTER (WHERE converted)::text AS approved, coalesce(sum(attempts), 0)::text AS attempts,
              coalesce(sum(priced), 0)::text AS priced, NULL::text AS amount
         FROM per_verification ${groupRow}
       UNION ALL
       SELECT ${lead}true, price_currency, NULL, NULL, NULL, NULL, sum(price_amount)::text
         FROM a WHERE price_amount IS NOT NULL AND price_currency IS NOT NULL
        GROUP BY ${lead}price_currency`,
      params,
    );
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
