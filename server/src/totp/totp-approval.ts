import type { DataSource } from "typeorm";
import { prepared } from "../db/prepared";
import { FACTOR_COLUMNS, LIVE, type FactorRow } from "./totp-store";

/**
 * Accepting a code, in one statement: the factor's newest accepted step moves forward only if
 * this step is newer (`last_step < $step`), so of any number of concurrent right codes for one
 * step exactly one gets the row back; the others find the step taken, which answers as a wrong
 * code. The first accepted code turns UNVERIFIED into VERIFIED. The attempt row is written in
 * the same statement.
 *
 * This is the one place a factor's approval happens: its webhook event (`totp.verified`, the
 * TotpFactor as the GraphQL type has it) is queued by one more CTE over `u`, so it is committed
 * exactly when the approval is (webhooks/, migration WebhookEvents).
 */
export async function approveStep(ds: DataSource, factorId: string, appId: string, step: number, ip: string | null): Promise<FactorRow | null> {
  const [row] = await prepared(ds).query<FactorRow>(
    `WITH u AS (
       UPDATE totp_factors SET
         last_step = $3,
         status = 'VERIFIED',
         verified_at = coalesce(verified_at, now()),
         last_used_at = now()
       WHERE id = $1 AND app_id = $2 AND status <> 'REVOKED' AND ${LIVE} AND (last_step IS NULL OR last_step < $3)
       RETURNING ${FACTOR_COLUMNS}
     ),
     a AS (
       INSERT INTO totp_attempts (factor_id, app_id, client_ip, outcome) SELECT id, app_id, $4, 'APPROVED' FROM u
     ),
     ev AS (
       SELECT otpg_enqueue_webhook_event(u.app_id, 'totp.verified', u.id::text, NULL, jsonb_build_object(
         'id', u.id, 'subject', u.subject, 'label', u.label, 'status', u.status, 'createdAt', otpg_iso(u.created_at),
         'verifiedAt', otpg_iso(u.verified_at), 'lastUsedAt', otpg_iso(u.last_used_at))) FROM u
     )
     -- ev is a SELECT: it runs only when read (an unused join to it would be planned away), hence the condition.
     SELECT u.* FROM u WHERE (SELECT count(*) FROM ev) >= 0`,
    [factorId, appId, step, ip],
  );
  return row ?? null;
}
