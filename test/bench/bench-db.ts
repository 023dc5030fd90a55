/**
 * The benchmark's own look at the gateway's database: fresh databases per run (on the
 * machine's Postgres, like the test suite), and the delivery timings the worker recorded.
 */
import { Client } from "pg";
import { createTestDatabase } from "../helpers/test-database";

export { createTestDatabase as createBenchDatabase };

export interface QueueTimings { deliveries: number; sentPerSecond: number; claimP50Ms: number; claimP99Ms: number; handedP99Ms: number }

/**
 * For deliveries queued in [from, to): how long each waited to be claimed (QUEUED → SENDING
 * event) and to be handed to the vendor (→ its SENT attempt), and the SENT rate in the window.
 */
export async function queueTimings(databaseUrl: string, from: Date, to: Date): Promise<QueueTimings> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query(
      `WITH q AS (
         SELECT d.id, d.created_at,
                (SELECT min(e.created_at) FROM delivery_events e WHERE e.verification_id = d.verification_id AND e.delivery_id = d.id AND e.status = 'SENDING') AS claimed,
                (SELECT min(a.created_at) FROM delivery_attempts a WHERE a.delivery_id = d.id AND a.outcome = 'SENT') AS handed
           FROM deliveries d WHERE d.created_at >= $1 AND d.created_at < $2
       )
       SELECT count(*)::int AS n,
              coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM claimed - created_at)), 0) * 1000 AS claim_p50,
              coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM claimed - created_at)), 0) * 1000 AS claim_p99,
              coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM handed - created_at)), 0) * 1000 AS handed_p99,
              count(handed) FILTER (WHERE handed < $2)::int AS sent
         FROM q`,
      [from, to],
    );
    const r = rows[0];
    const seconds = (to.getTime() - from.getTime()) / 1000;
    return { deliveries: r.n, sentPerSecond: r.sent / seconds, claimP50Ms: Number(r.claim_p50), claimP99Ms: Number(r.claim_p99), handedP99Ms: Number(r.handed_p99) };
  } finally {
    await c.end();
  }
}

export async function countQueued(databaseUrl: string, orSending = false): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED'${orSending ? ", 'SENDING'" : ""})`);
    return rows[0].n;
  } finally {
    await c.end();
  }
}

export async function serverVersions(databaseUrl: string, redisUrl: string): Promise<{ postgres: string; redis: string }> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const pg = (await c.query(`SHOW server_version`)).rows[0].server_version as string;
  await c.end();
  const { createClient } = await import("redis");
  const r = createClient({ url: redisUrl });
  await r.connect();
  const info = await r.info("server");
  await r.quit();
  return { postgres: pg, redis: /redis_version:(\S+)/.exec(info)?.[1] ?? "?" };
}

/**
 * Waits until the gateway's outbox is empty (at most `limitMs`), polling every `pollMs`, and
 * returns the seconds it took. A `serve` process accepts faster than its own worker delivers,
 * and a backlog left by one phase would be delivered during the next, on its time.
 */
export async function waitForEmptyOutbox(databaseUrl: string, limitMs = 180_000, pollMs = 200): Promise<number> {
  const started = Date.now();
  while ((await countQueued(databaseUrl, true)) > 0 && Date.now() - started < limitMs) await new Promise((r) => setTimeout(r, pollMs));
  return (Date.now() - started) / 1000;
}
