import type { DataSource } from "typeorm";

export type StatsWindow = "HOUR" | "DAY" | "WEEK";

export interface WindowStats {
  window: StatsWindow;
  attempts: number;
  sent: number;
  delivered: number;
  failed: number;
  failureRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
}

export interface ProviderChannelStats {
  provider: string;
  channel: string;
  windows: WindowStats[];
  topErrors: Array<{ code: string; count: number }>;
}

/**
 * An attempt counts as failed when the vendor refused it (outcome RETRY or FAILED) or when it
 * was accepted and the vendor's callback later reported it UNDELIVERED or FAILED; delivered when
 * the callback said DELIVERED. A callback belongs to the attempt that carried its message id.
 */
const ATTEMPTS = `
  SELECT a.provider, d.channel, a.created_at, a.latency_ms,
         coalesce(a.error_code, CASE WHEN d.provider_message_id = a.provider_message_id THEN d.error_code END) AS error_code,
         a.outcome = 'SENT' AS sent,
         a.outcome = 'SENT' AND d.provider_message_id = a.provider_message_id AND d.status = 'DELIVERED' AS delivered,
         a.outcome <> 'SENT' OR (d.provider_message_id = a.provider_message_id AND d.status IN ('UNDELIVERED', 'FAILED')) AS failed
    FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
   WHERE a.created_at > now() - interval '7 days'`;

/** Per provider and channel: counts, failure rate and send latency over the last hour, day and week; top error codes of the week. */
export async function providerStats(ds: DataSource): Promise<ProviderChannelStats[]> {
  const rows = await ds.query(
    `WITH att AS (${ATTEMPTS}),
          w(name, since) AS (VALUES ('HOUR', now() - interval '1 hour'), ('DAY', now() - interval '1 day'), ('WEEK', now() - interval '7 days'))
     SELECT att.provider, att.channel, w.name AS window,
            count(*)::int AS attempts,
            count(*) FILTER (WHERE sent)::int AS sent,
            count(*) FILTER (WHERE delivered)::int AS delivered,
            count(*) FILTER (WHERE failed)::int AS failed,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY att.latency_ms) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY att.latency_ms) AS p95
       FROM att JOIN w ON att.created_at > w.since
      GROUP BY att.provider, att.channel, w.name`,
  );
  const errors = await ds.query(
    `WITH att AS (${ATTEMPTS}),
          codes AS (
            SELECT provider, channel, error_code, count(*)::int AS n,
                   row_number() OVER (PARTITION BY provider, channel ORDER BY count(*) DESC, error_code) AS rank
              FROM att WHERE failed AND error_code IS NOT NULL GROUP BY provider, channel, error_code
          )
     SELECT provider, channel, error_code, n FROM codes WHERE rank <= 5 ORDER BY provider, channel, rank`,
  );
  const byKey = new Map<string, ProviderChannelStats>();
  const entry = (provider: string, channel: string) => {
    const key = `${provider}|${channel}`;
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { provider, channel, windows: [], topErrors: [] }));
    return e;
  };
  for (const r of rows) {
    entry(r.provider, r.channel).windows.push({
      window: r.window, attempts: r.attempts, sent: r.sent, delivered: r.delivered, failed: r.failed,
      failureRate: r.attempts ? r.failed / r.attempts : 0,
      latencyP50Ms: r.p50 === null ? null : Number(r.p50), latencyP95Ms: r.p95 === null ? null : Number(r.p95),
    });
  }
  for (const r of errors) entry(r.provider, r.channel).topErrors.push({ code: r.error_code, count: r.n });
  return [...byKey.values()];
}

/** A window with no traffic, so every configured provider shows all three windows. */
export const emptyWindow = (window: StatsWindow): WindowStats => ({
  window, attempts: 0, sent: 0, delivered: 0, failed: 0, failureRate: 0, latencyP50Ms: null, latencyP95Ms: null,
});
