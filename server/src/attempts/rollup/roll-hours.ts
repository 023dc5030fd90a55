import type { DataSource, EntityManager } from "typeorm";
import { HANDED_TO_VENDOR } from "../summary-query";
import { firstMaskSql } from "./first-mask";

/** One roller at a time across processes (every worker runs the job; the others skip the pass). */
const ROLLUP_LOCK = 727031;
/** An hour is rolled this long after it ends: a delivery queued by a transaction that began before the hour ended has committed by then (one that has not marks the hour dirty when it does). */
export const ROLL_GRACE_SECONDS = 60;
/** Hours rolled per pass at most (a first run over months of attempts catches up in several passes). */
export const HOURS_PER_PASS = 168;
/** More closed hours than this waiting: a catch-up pass, which leaves the dirty marks to a later, short one. */
const CATCH_UP = 3;

/** `rolled`: hours (re)written this pass; `rerolled`: of the hours marked dirty; `more`: closed or marked hours still wait. */
export interface RollPass { rolled: number; rerolled: number; more: boolean }

const HANDED = HANDED_TO_VENDOR.map((s) => `'${s}'`).join(", ");

/**
 * One pass, in one REPEATABLE READ transaction (one snapshot): the oldest closed hours never
 * rolled (up to HOURS_PER_PASS) and, unless catching up, the hours marked dirty since the last
 * pass, each hour's rows replaced whole. A change committed after the snapshot marked its hour after
 * the marks this pass takes, so it is rolled again next pass. Hours before the oldest attempt
 * (deleted by retention) are dropped. Null when another process holds the lock.
 */
export async function rollPass(ds: DataSource, hoursPerPass = HOURS_PER_PASS): Promise<RollPass | null> {
  return ds.transaction("REPEATABLE READ", async (m) => {
    const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [ROLLUP_LOCK]);
    if (!locked) return null;
    const [{ oldest }] = await m.query(`SELECT date_trunc('hour', min(created_at), 'UTC') AS oldest FROM deliveries`);
    if (oldest) {
      await m.query(`DELETE FROM attempt_rollup WHERE hour < $1`, [oldest]);
      await m.query(`DELETE FROM attempt_rollup_hours WHERE hour < $1`, [oldest]);
      await m.query(`DELETE FROM attempt_rollup_spans WHERE last_at < $1`, [oldest]);
    }
    const fresh: Date[] = oldest
      ? (await m.query(
          `SELECT g AS hour FROM generate_series($1::timestamptz, now() - make_interval(secs => $2) - interval '1 hour', interval '1 hour') g
            WHERE NOT EXISTS (SELECT 1 FROM attempt_rollup_hours h WHERE h.hour = g)
            ORDER BY g LIMIT $3`,
          [oldest, ROLL_GRACE_SECONDS, hoursPerPass + 1],
        )).map((r: { hour: Date }) => r.hour)
      : [];
    // Taking the marks makes a writer marking one of those hours meanwhile wait for this pass's
    // commit (its insert meets our delete): fine for a pass of a few hours (well under a second),
    // not for a catch-up pass of a week's. Marked hours wait (read live) until caught up.
    const dirty: Date[] = fresh.length > CATCH_UP
      ? []
      : (await m.query(`WITH taken AS (DELETE FROM attempt_rollup_dirty RETURNING hour) SELECT hour FROM taken`)).map((r: { hour: Date }) => r.hour);
    // A dirty hour before the oldest attempt was emptied by retention: dropped above, not rolled again.
    const stillHeld = dirty.filter((h) => oldest && h.getTime() >= oldest.getTime());
    const hours = [...new Map([...stillHeld, ...fresh.slice(0, hoursPerPass)].map((h) => [h.getTime(), h])).values()];
    if (hours.length) await rollHours(m, hours);
    return { rolled: hours.length, rerolled: dirty.length, more: fresh.length > CATCH_UP };
  });
}

/** Replaces the rollup rows of these whole hours (every app's) and records the hours as rolled. */
async function rollHours(m: EntityManager, hours: Date[]): Promise<void> {
  await m.query(`DELETE FROM attempt_rollup WHERE hour = ANY($1::timestamptz[])`, [hours]);
  // Every attempt of each verification with an attempt in these hours: "first" looks at the earlier ones.
  await m.query(
    `CREATE TEMPORARY TABLE rollup_attempts ON COMMIT DROP AS
     SELECT d.id, d.verification_id, d.app_id, d.channel, d.provider, d.status, d.price_amount, d.price_currency, d.created_at,
            ${firstMaskSql("d")} AS first_mask
       FROM deliveries d
      WHERE d.verification_id IN (SELECT h.verification_id FROM unnest($1::timestamptz[]) u (hour)
                                    JOIN deliveries h ON h.created_at >= u.hour AND h.created_at < u.hour + interval '1 hour')`,
    [hours],
  );
  await m.query(
    `INSERT INTO attempt_rollup (hour, app_id, country, channel, provider, currency, first_mask, converted, deliveries, attempts, priced, amount)
     SELECT date_trunc('hour', a.created_at, 'UTC'), a.app_id, v.destination_country, a.channel, a.provider, a.price_currency, a.first_mask,
            v.status = 'APPROVED', count(*), count(*) FILTER (WHERE a.status IN (${HANDED})),
            count(*) FILTER (WHERE a.status IN (${HANDED}) AND a.price_amount IS NOT NULL), sum(a.price_amount)
       FROM rollup_attempts a JOIN verifications v ON v.id = a.verification_id
      WHERE date_trunc('hour', a.created_at, 'UTC') = ANY($1::timestamptz[])
      GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`,
    [hours],
  );
  // Verifications with attempts in more than one hour: a period may start between them.
  await m.query(
    `INSERT INTO attempt_rollup_spans (verification_id, app_id, first_at, last_at)
     SELECT verification_id, (array_agg(app_id))[1], min(created_at), max(created_at) FROM rollup_attempts
      GROUP BY verification_id
     HAVING date_trunc('hour', min(created_at), 'UTC') <> date_trunc('hour', max(created_at), 'UTC')
     ON CONFLICT (verification_id) DO UPDATE SET first_at = least(attempt_rollup_spans.first_at, EXCLUDED.first_at),
                                                 last_at = greatest(attempt_rollup_spans.last_at, EXCLUDED.last_at)`,
  );
  await m.query(`DROP TABLE rollup_attempts`);
  await m.query(
    `INSERT INTO attempt_rollup_hours (hour) SELECT unnest($1::timestamptz[]) ON CONFLICT (hour) DO UPDATE SET rolled_at = now()`,
    [hours],
  );
}

/** Passes until nothing is left to roll (the CLI's and the benches' catch-up); the hours (re)written. */
export async function rollAll(ds: DataSource): Promise<number> {
  let total = 0;
  for (;;) {
    const pass = await rollPass(ds);
    if (!pass) throw new Error("another process is rolling up attempts; try again");
    total += pass.rolled;
    if (!pass.more) return total;
  }
}

/** Forgets every rolled hour and rolls them all again (`otp-gateway attempts rollup --rebuild`). */
export async function rebuildRollup(ds: DataSource): Promise<number> {
  await ds.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock($1)`, [ROLLUP_LOCK]);
    await m.query(`TRUNCATE attempt_rollup, attempt_rollup_hours, attempt_rollup_dirty, attempt_rollup_spans`);
  });
  return rollAll(ds);
}
