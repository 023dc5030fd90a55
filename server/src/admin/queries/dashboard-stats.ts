import type { DataSource } from "typeorm";
import { badInput } from "../../errors";

/**
 * The dashboard home's charts, aggregated in SQL over the stored rows: the browser only draws.
 * Buckets are hours for ranges up to two days, days beyond; empty buckets are zeros.
 */
export async function dashboardStats(ds: DataSource, days: number) {
  if (!Number.isInteger(days) || days < 1 || days > 90) throw badInput("days", "days is 1 to 90");
  const unit = days <= 2 ? "hour" : "day";
  const params = [unit, days];
  const start = `date_trunc($1, now() - make_interval(days => $2))`;
  const buckets = `SELECT generate_series(${start}, date_trunc($1, now()), ('1 ' || $1)::interval) AS bucket`;
  const failed = `(a.outcome <> 'SENT' OR (d.provider_message_id = a.provider_message_id AND d.status IN ('UNDELIVERED', 'FAILED')))`;

  const sends = await ds.query(
    `WITH b AS (${buckets}),
          v AS (SELECT date_trunc($1, created_at) AS bucket, count(*)::int AS requested, count(*) FILTER (WHERE status = 'APPROVED')::int AS approved
                  FROM verifications WHERE created_at >= ${start} GROUP BY 1),
          x AS (SELECT date_trunc($1, a.created_at) AS bucket, count(*)::int AS attempts, count(*) FILTER (WHERE ${failed})::int AS failed
                  FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.created_at >= ${start} GROUP BY 1)
     SELECT b.bucket, coalesce(v.requested, 0) AS requested, coalesce(v.approved, 0) AS approved,
            coalesce(x.attempts, 0) AS attempts, coalesce(x.failed, 0) AS failed
       FROM b LEFT JOIN v USING (bucket) LEFT JOIN x USING (bucket) ORDER BY b.bucket`,
    params,
  );
  const providerFailures = await ds.query(
    `SELECT date_trunc($1, a.created_at) AS bucket, a.provider, d.channel, count(*)::int AS attempts, count(*) FILTER (WHERE ${failed})::int AS failed
       FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
      WHERE a.created_at >= ${start} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    params,
  );
  const blocks = await ds.query(
    `WITH b AS (${buckets}),
          k AS (SELECT date_trunc($1, created_at) AS bucket, count(*)::int AS blocks FROM rate_limit_blocks WHERE created_at >= ${start} GROUP BY 1)
     SELECT b.bucket, coalesce(k.blocks, 0) AS blocks FROM b LEFT JOIN k USING (bucket) ORDER BY b.bucket`,
    params,
  );
  const countries = await ds.query(
    `SELECT coalesce(destination_country, CASE WHEN channel = 'EMAIL' THEN 'EMAIL' ELSE '??' END) AS country,
            count(*)::int AS requested, count(*) FILTER (WHERE status = 'APPROVED')::int AS approved
       FROM verifications WHERE created_at >= ${start} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`,
    params,
  );
  const [totals] = await ds.query(
    `SELECT (SELECT count(*)::int FROM verifications WHERE created_at >= ${start}) AS requested,
            (SELECT count(*)::int FROM verifications WHERE created_at >= ${start} AND status = 'APPROVED') AS approved,
            (SELECT count(*)::int FROM delivery_attempts WHERE created_at >= ${start}) AS attempts,
            (SELECT count(*)::int FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.created_at >= ${start} AND ${failed}) AS failed,
            (SELECT count(*)::int FROM rate_limit_blocks WHERE blocked_until > now() AND lifted_at IS NULL) AS active_blocks`,
    params,
  );
  const rate = (n: number, d: number) => (d ? n / d : 0);
  return {
    unit: unit.toUpperCase(),
    totals: {
      requested: totals.requested, approved: totals.approved, conversionRate: rate(totals.approved, totals.requested),
      attempts: totals.attempts, failed: totals.failed, failureRate: rate(totals.failed, totals.attempts), activeBlocks: totals.active_blocks,
    },
    sends: sends.map((r: any) => ({ bucket: new Date(r.bucket), requested: r.requested, approved: r.approved, conversionRate: rate(r.approved, r.requested), attempts: r.attempts, failed: r.failed })),
    providerFailures: providerFailures.map((r: any) => ({ bucket: new Date(r.bucket), provider: r.provider, channel: r.channel, attempts: r.attempts, failed: r.failed, failureRate: rate(r.failed, r.attempts) })),
    blocks: blocks.map((r: any) => ({ bucket: new Date(r.bucket), blocks: r.blocks })),
    countries: countries.map((r: any) => ({ country: r.country, requested: r.requested, approved: r.approved, conversionRate: rate(r.approved, r.requested) })),
  };
}
