import type { DataSource } from "typeorm";
import { summaryRows, type SummaryKey, type SummaryQuery, type SummaryRowView, type SummarySqlRow } from "../../server/src/attempts/summary-query";

/**
 * The reference for the rollup: verificationSummary's query before the rollup (up to commit
 * 23a2518), its SQL verbatim — every attempt of the period joined to its verification and
 * aggregated; its rows are read into the API's shape as the product reads its own (summaryRows).
 * Tests compare the product's (rollup + live) answers with this one's; it is no product path.
 */
/** Each key's expression over the attempt (d) and its verification (v). */
const KEY_SQL: Record<SummaryKey, string> = {
  COUNTRY: "v.destination_country",
  CHANNEL: "d.channel",
  PROVIDER: "d.provider",
  DAY: "to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  APP: "d.app_id::text",
};
const ORDER: SummaryKey[] = ["DAY", "APP", "COUNTRY", "CHANNEL", "PROVIDER"];

/** Statuses of a delivery a vendor accepted: the ones that count as an attempt (and can cost money). */
const HANDED_TO_VENDOR = ["SENT", "DELIVERED", "UNDELIVERED"] as const;

/**
 * Conversion and spend over the attempts (deliveries) created in [from, to), grouped by the keys
 * asked for. A verification counts once per row it has an attempt in: with CHANNEL or PROVIDER a
 * verification whose code went out over two (a fallback, a failover) counts in both rows; without
 * them it counts once. One pass: GROUPING SETS gives each group's totals and its per-currency sums
 * together, so a verification paid in two currencies is still counted once.
 */
export async function summarizeByFullScan(ds: DataSource, q: SummaryQuery): Promise<SummaryRowView[]> {
  const keys = ORDER.filter((k) => q.groupBy?.includes(k));
  const params: unknown[] = [q.from, q.to];
  const where = ["d.created_at >= $1", "d.created_at < $2"];
  if (q.appId) {
    params.push(q.appId);
    where.push(`d.app_id = $${params.length}`);
  }
  if (q.retentionDays != null) {
    params.push(q.retentionDays);
    where.push(`d.created_at >= now() - make_interval(days => $${params.length})`);
  }
  const keyCols = keys.map((k) => `${KEY_SQL[k]} AS k_${k.toLowerCase()}`);
  const keyRefs = keys.map((k) => `k_${k.toLowerCase()}`);
  const rows: SummarySqlRow[] =
    await ds.query(
      `SELECT ${[...keyRefs, ""].join(", ")}
              GROUPING(a.price_currency) = 0 AS by_currency, a.price_currency AS currency,
              count(DISTINCT a.verification_id)::text AS verifications,
              count(DISTINCT a.verification_id) FILTER (WHERE a.converted)::text AS approved,
              count(*) FILTER (WHERE a.status IN (${HANDED_TO_VENDOR.map((s) => `'${s}'`).join(", ")}))::text AS attempts,
              count(*) FILTER (WHERE a.status IN (${HANDED_TO_VENDOR.map((s) => `'${s}'`).join(", ")}) AND a.price_amount IS NOT NULL)::text AS priced,
              sum(a.price_amount)::text AS amount
         FROM (SELECT ${[...keyCols, ""].join(", ")} d.verification_id, d.status, d.price_amount, d.price_currency,
                      v.status = 'APPROVED' AS converted
                 FROM deliveries d JOIN verifications v ON v.id = d.verification_id
                WHERE ${where.join(" AND ")}) a
        GROUP BY GROUPING SETS ((${keyRefs.join(", ")}), (${[...keyRefs, "a.price_currency"].join(", ")}))`,
      params,
    );
  return summaryRows(rows, keys);
}
