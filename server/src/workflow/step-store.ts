import type { DataSource, EntityManager } from "typeorm";
import type { Row } from "../verification/verification-view";

/** Why a step started, as stored (`started_reason`); step-view.ts says it in words. */
export const STARTED = { requested: "requested", timeout: "timeout", failed: "failed", skipped: "skipped" } as const;

/**
 * The workflow's rows in SQL (migration VerificationSteps). A waiting step's timer is its
 * `starts_at`: set when the step before is handed off (plus afterSeconds) or failed for good
 * (now), cleared by a resend of the step before; due steps are claimed with a lease like
 * deliveries, so any worker process may start them and a crashed one's claim lapses.
 */
export class StepStore {
  constructor(private readonly ds: DataSource, private readonly timeScale = 1) {}

  /**
   * The step before was handed off (SENT or DELIVERED): its successor is due afterSeconds from
   * now, unless already scheduled (a duplicate hand-off doesn't push the timer).
   */
  async scheduleAfterHandOff(deliveryId: string): Promise<Row | null> {
    // In a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
    const [r] = await this.ds.query(
      `WITH u AS (
         UPDATE verification_steps n SET starts_at = now() + make_interval(secs => n.after_seconds * $2::float8),
                started_reason = $3, updated_at = now()
           FROM verification_steps c
          WHERE c.delivery_id = $1 AND c.status = 'ACTIVE' AND n.verification_id = c.verification_id AND n.position = c.position + 1
            AND n.status = 'WAITING' AND n.starts_at IS NULL
          RETURNING n.id, n.starts_at
       ) SELECT * FROM u`,
      [deliveryId, this.timeScale, STARTED.timeout],
    );
    return r ?? null;
  }

  /** The step before failed for good: its successor is due now. Null when there is none waiting (the last step, or already started). */
  async scheduleAfterFailure(deliveryId: string): Promise<Row | null> {
    const [r] = await this.ds.query(
      `WITH u AS (
         UPDATE verification_steps n SET starts_at = now(), started_reason = $2, updated_at = now()
           FROM verification_steps c
          WHERE c.delivery_id = $1 AND c.status = 'ACTIVE' AND n.verification_id = c.verification_id AND n.position = c.position + 1
            AND n.status = 'WAITING'
          RETURNING n.id
       ) SELECT * FROM u`,
      [deliveryId, STARTED.failed],
    );
    return r ?? null;
  }

  /** Claims due steps (FOR UPDATE SKIP LOCKED, with a lease), with their verification and app. */
  async claimDue(limit: number, leaseSeconds: number, workerId: string): Promise<Row[]> {
    return this.ds.query(
      `WITH c AS (
         UPDATE verification_steps SET lease_until = now() + make_interval(secs => $2), leased_by = $3, updated_at = now()
          WHERE id IN (SELECT id FROM verification_steps
                        WHERE status = 'WAITING' AND starts_at <= now() AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY starts_at LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING *
       )
       SELECT to_jsonb(c.*) AS step, v.status AS v_status, v.expires_at, v.destination AS v_destination, v.client_ip, to_jsonb(a.*) AS app
         FROM c JOIN verifications v ON v.id = c.verification_id JOIN apps a ON a.id = c.app_id`,
      [limit, leaseSeconds, workerId],
    );
  }

  /**
   * Starts a claimed step: ACTIVE, the step before DONE, its delivery QUEUED (to the step's own
   * destination when it has one), in one statement that requires the claim and a verification
   * still pending. Null when any of that no longer holds (nothing changed).
   */
  async start(m: EntityManager, stepId: string, workerId: string, deliveryId: string, provider: string, wakeColumn: string): Promise<{ step: Row; delivery: Row } | null> {
    const [r] = await m.query(
      `WITH s AS (
         UPDATE verification_steps st SET status = 'ACTIVE', started_at = now(), delivery_id = $3, lease_until = NULL, leased_by = NULL, updated_at = now()
          WHERE st.id = $1 AND st.status = 'WAITING' AND st.leased_by = $2
            AND EXISTS (SELECT 1 FROM verifications v WHERE v.id = st.verification_id AND v.status = 'PENDING' AND v.expires_at > now())
          RETURNING st.*
       ),
       p AS (
         UPDATE verification_steps SET status = 'DONE', ended_at = now(), ended_reason = 'the next step started', updated_at = now()
          WHERE verification_id = (SELECT verification_id FROM s) AND position < (SELECT position FROM s) AND status = 'ACTIVE'
       ),
       d AS (
         INSERT INTO deliveries (id, verification_id, app_id, channel, provider, step_id, destination, traceparent)
         SELECT $3, s.verification_id, s.app_id, s.channel, $4, s.id, nullif(s.destination, v.destination),
                (SELECT f.traceparent FROM deliveries f WHERE f.verification_id = s.verification_id ORDER BY f.created_at LIMIT 1)
           FROM s JOIN verifications v ON v.id = s.verification_id
         RETURNING *
       ),
       e AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source)
         SELECT id, verification_id, status, provider, 'workflow' FROM d
       )
       SELECT to_jsonb(s.*) AS step, to_jsonb(d.*) AS delivery, ${wakeColumn} AS wake FROM s, d`,
      [stepId, workerId, deliveryId, provider],
    );
    return r ? { step: r.step, delivery: r.delivery } : null;
  }

  /**
   * A claimed step the send limits refused: SKIPPED with the reason, and every later step with
   * it (the workflow stops; the step before stays active, its code still good). Returns whether it changed.
   */
  async refuse(stepId: string, workerId: string, reason: string): Promise<boolean> {
    const rows = await this.ds.query(
      `WITH s AS (
         UPDATE verification_steps SET status = 'SKIPPED', ended_at = now(), ended_reason = $3, lease_until = NULL, leased_by = NULL, updated_at = now()
          WHERE id = $1 AND status = 'WAITING' AND leased_by = $2
          RETURNING verification_id, position
       ),
       rest AS (
         UPDATE verification_steps n SET status = 'SKIPPED', ended_at = now(), ended_reason = 'an earlier step was refused', lease_until = NULL, updated_at = now()
           FROM s WHERE n.verification_id = s.verification_id AND n.position > s.position AND n.status = 'WAITING'
       )
       SELECT 1 FROM s`,
      [stepId, workerId, reason],
    );
    return rows.length > 0;
  }

  /**
   * A claimed step the SIM-swap check refused: SKIPPED with the reason, and the step after it
   * due now (started_reason `skipped`). Null when the claim no longer holds (nothing changed);
   * `nextStepId` null when no step waits after it.
   */
  async skipForRisk(m: EntityManager, stepId: string, workerId: string, reason: string): Promise<{ nextStepId: string | null } | null> {
    const [r] = await m.query(
      `WITH s AS (
         UPDATE verification_steps SET status = 'SKIPPED', ended_at = now(), ended_reason = $3, lease_until = NULL, leased_by = NULL, updated_at = now()
          WHERE id = $1 AND status = 'WAITING' AND leased_by = $2
          RETURNING verification_id, position
       ),
       n AS (
         UPDATE verification_steps n SET starts_at = now(), started_reason = $4, updated_at = now()
           FROM s WHERE n.verification_id = s.verification_id AND n.position = s.position + 1 AND n.status = 'WAITING'
          RETURNING n.id
       )
       SELECT (SELECT id FROM n) AS next_step_id FROM s`,
      [stepId, workerId, reason, STARTED.skipped],
    );
    return r ? { nextStepId: r.next_step_id ?? null } : null;
  }

  /** Gives a claim back before its lease (the verification is closing: the expiry sweep or a close will skip it). */
  async release(stepId: string, workerId: string): Promise<void> {
    await this.ds.query(`UPDATE verification_steps SET lease_until = now() + interval '30 seconds', leased_by = NULL WHERE id = $1 AND leased_by = $2`, [stepId, workerId]);
  }

  async forVerification(verificationId: string): Promise<Row[]> {
    return this.ds.query(`SELECT * FROM verification_steps WHERE verification_id = $1 ORDER BY position`, [verificationId]);
  }

  /**
   * Safety net for the sweep: a hand-off or failure whose follow-up was lost (the process died
   * between recording it and scheduling the next step) still schedules it — from the hand-off's
   * recorded time, so the timer is what it would have been.
   */
  async scheduleMissed(): Promise<number> {
    const rows = await this.ds.query(
      `WITH due AS (
         SELECT n.id, n.after_seconds, d.status AS d_status,
                (SELECT min(e.created_at) FROM delivery_events e WHERE e.delivery_id = d.id AND e.status IN ('SENT', 'DELIVERED')) AS handed_off_at
           FROM verification_steps c JOIN deliveries d ON d.id = c.delivery_id
           JOIN verification_steps n ON n.verification_id = c.verification_id AND n.position = c.position + 1
          WHERE c.status = 'ACTIVE' AND n.status = 'WAITING' AND n.starts_at IS NULL
            AND d.status IN ('SENT', 'DELIVERED', 'FAILED', 'UNDELIVERED') AND d.updated_at < now() - interval '5 seconds'
          LIMIT 500
       ),
       u AS (
         UPDATE verification_steps n SET
                starts_at = CASE WHEN due.d_status IN ('FAILED', 'UNDELIVERED') THEN now()
                                 ELSE coalesce(due.handed_off_at, now()) + make_interval(secs => due.after_seconds * $1::float8) END,
                started_reason = CASE WHEN due.d_status IN ('FAILED', 'UNDELIVERED') THEN $2 ELSE $3 END, updated_at = now()
           FROM due WHERE n.id = due.id AND n.starts_at IS NULL
          RETURNING n.id
       ) SELECT * FROM u`,
      [this.timeScale, STARTED.failed, STARTED.timeout],
    );
    return rows.length;
  }
}
