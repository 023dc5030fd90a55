import type { DataSource, EntityManager } from "typeorm";

/**
 * The one place a verification becomes FAILED (contract "Verification status FAILED"): when
 * every one of its deliveries has failed for good — FAILED (the destination refused, no
 * provider left) or UNDELIVERED — and no fallback or resend is queued, its code can no longer
 * reach anyone. The code material is wiped like any other close, so the code stops working;
 * `verifyOtp` then answers FAILED without spending an attempt (verify-service.ts answerClosed).
 *
 * Runs in the caller's transaction (`m`), so whatever else belongs to the change commits with
 * it: the `verification.failed` webhook event is written by the status trigger of migration
 * WebhookEvents in this same transaction. A workflow step still waiting (workflow/) can still reach
 * the person: not yet. The verification's row is locked first: two last
 * deliveries failing at once serialise here, and the second sees the first's failure (each
 * statement in READ COMMITTED reads what committed before it), so one of them always closes it.
 * Called after the failure itself has committed and the fallback had its chance.
 */
export async function failIfUndeliverable(m: EntityManager, verificationId: string): Promise<{ id: string; app_id: string } | null> {
  await m.query(`SELECT 1 FROM verifications WHERE id = $1 FOR NO KEY UPDATE`, [verificationId]);
  const [row] = await m.query(
    `UPDATE verifications SET status = 'FAILED', code_hash = NULL, code_cipher = NULL, completed_at = now(), updated_at = now()
      WHERE id = $1 AND status = 'PENDING'
        AND EXISTS (SELECT 1 FROM deliveries WHERE verification_id = $1)
        AND NOT EXISTS (SELECT 1 FROM deliveries WHERE verification_id = $1 AND status NOT IN ('FAILED', 'UNDELIVERED'))
        AND NOT EXISTS (SELECT 1 FROM verification_steps WHERE verification_id = $1 AND status = 'WAITING')
      RETURNING id, app_id`,
    [verificationId],
  );
  return row ?? null;
}

/** failIfUndeliverable in a transaction of its own. */
export function settleAfterFailure(ds: DataSource, verificationId: string) {
  return ds.transaction((m) => failIfUndeliverable(m, verificationId));
}
