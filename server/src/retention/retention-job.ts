import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "pino";
import { PeriodicRun } from "../jobs/periodic-run";

export interface RetentionOptions {
  /** Rows older than this many days are deleted (RETENTION_DAYS). */
  days: number;
  /** Verifications (with everything hanging off them) per transaction (RETENTION_BATCH_SIZE). */
  batchSize: number;
  /** Seconds between runs (RETENTION_INTERVAL_SECONDS); the first run is shortly after start. */
  intervalSeconds: number;
}

/** Rows deleted in one run, by table. */
export type RetentionCounts = Record<string, number>;

/** How long a staff enrolment link is kept after it can no longer be used (not RETENTION_DAYS: it is worthless then). */
const ENROLMENT_LINK_GRACE = "1 day";

/** Taken per batch so that two worker processes don't delete side by side; the one that doesn't get it leaves the run to the other. */
const RETENTION_LOCK = 727003;

/**
 * Bounded growth: every row a verification leaves — the verification, its verify attempts (and
 * those aimed at no verification),
 * deliveries, delivery attempts, delivery events (status receipts included) and outbox
 * messages — is deleted once older than the retention period, and so are outbound webhook
 * events (with their messages and attempts) and TOTP factors' code checks. Staff enrolment links
 * go a day after they were used, replaced or expired. Run by the worker role.
 *
 * Deletes go in batches of `batchSize` verifications, each in its own short transaction with
 * the children deleted explicitly first (by indexed columns, so the counts per table are
 * exact and the foreign keys' cascades find nothing left to do), so a first run over years
 * of rows never holds long locks or one huge transaction. Rate-limit blocks and the audit
 * log are decisions on record and are kept.
 */
export class RetentionJob {
  private readonly timer: PeriodicRun;
  /** Told of each completed run's deletions, zero or more (metrics). */
  onDeleted?: (counts: RetentionCounts) => void;

  constructor(
    private readonly ds: DataSource,
    private readonly options: RetentionOptions,
    private readonly log: Logger,
  ) {
    this.timer = new PeriodicRun(
      () => this.runOnce(),
      (err) => this.log.warn({ err: err.message }, "retention run failed; next run as scheduled"),
    );
  }

  start(): void {
    this.timer.start(this.options.intervalSeconds * 1000, 1000);
  }

  stop(): Promise<void> {
    return this.timer.stop();
  }

  /** One pass: batches until nothing old is left (or another process holds the lock). */
  async runOnce(): Promise<RetentionCounts> {
    const totals: RetentionCounts = {};
    let batches = 0;
    for (;;) {
      const counts = await this.ds.transaction((m) => this.batch(m));
      if (!counts) break;
      batches++;
      for (const [table, n] of Object.entries(counts)) if (table !== "verify_misses") totals[table] = (totals[table] ?? 0) + n;
      totals.verify_attempts += counts.verify_misses;
      // Another batch while any kind of old row filled this one.
      if (Math.max(counts.verifications, counts.webhook_events, counts.verify_misses, counts.totp_attempts, counts.admin_enrolment_links) < this.options.batchSize) break;
    }
    this.onDeleted?.(totals);
    if (Object.values(totals).some((n) => n > 0)) this.log.info({ deleted: totals, batches, days: this.options.days }, "retention: old rows deleted");
    return totals;
  }

  /** One transaction: up to batchSize old verifications with their rows, and as many old webhook events. Null when locked out. */
  private async batch(m: EntityManager): Promise<RetentionCounts | null> {
    const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}) AS locked`);
    if (!locked) return null;
    const cutoff = `now() - make_interval(days => $1)`;
    const ids: string[] = (
      await m.query(
        `SELECT id FROM verifications WHERE created_at < ${cutoff} ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [this.options.days, this.options.batchSize],
      )
    ).map((r: { id: string }) => r.id);
    const counts: RetentionCounts = {};
    const del = async (table: string, sql: string, params: unknown[]) => {
      counts[table] = Number((await m.query(`WITH gone AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM gone`, params))[0].n);
    };
    const byDelivery = `delivery_id IN (SELECT id FROM deliveries WHERE verification_id = ANY($1::uuid[]))`;
    await del("delivery_events", `DELETE FROM delivery_events WHERE verification_id = ANY($1::uuid[])`, [ids]);
    await del("delivery_attempts", `DELETE FROM delivery_attempts WHERE ${byDelivery}`, [ids]);
    await del("outbox_messages", `DELETE FROM outbox_messages WHERE ${byDelivery}`, [ids]);
    await del("verify_attempts", `DELETE FROM verify_attempts WHERE verification_id = ANY($1::uuid[])`, [ids]);
    await del("deliveries", `DELETE FROM deliveries WHERE verification_id = ANY($1::uuid[])`, [ids]);
    await del("verifications", `DELETE FROM verifications WHERE id = ANY($1::uuid[])`, [ids]);
    // Codes aimed at nothing (NOT_FOUND) are verify attempts of no verification.
    await del(
      "verify_misses",
      `DELETE FROM verify_attempts WHERE id IN (SELECT id FROM verify_attempts WHERE verification_id IS NULL AND created_at < ${cutoff} ORDER BY created_at LIMIT $2)`,
      [this.options.days, this.options.batchSize],
    );
    // Authenticator code checks (the factors themselves are live state and stay).
    await del(
      "totp_attempts",
      `DELETE FROM totp_attempts WHERE id IN (SELECT id FROM totp_attempts WHERE created_at < ${cutoff} ORDER BY created_at LIMIT $2)`,
      [this.options.days, this.options.batchSize],
    );
    // Staff enrolment links a day after they stopped being usable (used, replaced by a newer link,
    // or expired; LEAST skips the NULLs): nothing can redeem them, and a used one still holds a
    // sealed copy of the secret it installed. The day keeps a late click's refusal audited with
    // its real reason (expired, used) rather than "unknown"; the audit log keeps the link's story.
    await del(
      "admin_enrolment_links",
      `DELETE FROM admin_enrolment_links WHERE id IN (SELECT id FROM admin_enrolment_links
         WHERE least(expires_at, used_at, revoked_at) < now() - interval '${ENROLMENT_LINK_GRACE}' ORDER BY created_at LIMIT $1)`,
      [this.options.batchSize],
    );
    await del(
      "webhook_events",
      `DELETE FROM webhook_events WHERE id IN (SELECT id FROM webhook_events WHERE created_at < ${cutoff} ORDER BY created_at LIMIT $2)`,
      [this.options.days, this.options.batchSize],
    );
    return counts;
  }
}
