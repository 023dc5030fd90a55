import type { MigrationInterface, QueryRunner } from "typeorm";

const DELIVERIES_JSON = `SELECT coalesce(jsonb_agg(jsonb_build_object(
                 'id', d.id, 'channel', d.channel, 'provider', d.provider, 'status', d.status, 'errorCode', d.error_code,
                 'errorMessage', d.error_message, 'createdAt', otpg_iso(d.created_at), 'updatedAt', otpg_iso(d.updated_at)
               ) ORDER BY d.created_at, d.id), '[]'::jsonb)
          INTO deliveries_json FROM deliveries d WHERE d.verification_id = NEW.id;`;

const webhookFunction = (withRisk: boolean) => `
      CREATE OR REPLACE FUNCTION otpg_verification_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        t text := 'verification.' || lower(NEW.status);
        deliveries_json jsonb;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE app_id = NEW.app_id AND (events IS NULL OR t = ANY (events))) THEN RETURN NULL; END IF;
        ${DELIVERIES_JSON}
        PERFORM otpg_enqueue_webhook_event(NEW.app_id, t, NEW.id::text, NEW.id, jsonb_build_object(
          'id', NEW.id, 'channel', NEW.channel, 'status', NEW.status, 'purpose', NEW.purpose, 'codeLength', NEW.code_length,
          'expiresAt', otpg_iso(NEW.expires_at), 'resendAvailableAt', otpg_iso(NEW.resend_available_at),
          'attemptsRemaining', greatest(0, NEW.max_attempts - NEW.failed_attempts), 'deliveries', deliveries_json${withRisk ? `,
          'risk', CASE WHEN NEW.sim_swap IS NULL THEN NULL ELSE jsonb_build_object('simSwap', NEW.sim_swap, 'checkedAt', otpg_iso(NEW.sim_swap_checked_at)) END` : ""}
        ));
        RETURN NULL;
      END $$;`;

/**
 * A verification's risk facts (contract: "SIM-swap check before a phone code"): what the SIM-swap
 * check said (SWAPPED, NOT_SWAPPED, UNKNOWN; null when no check applied) and when. Written by
 * the requestOtp statement with the row, so the `verification.pending` event — built by the
 * trigger from the new row — carries `risk` like the GraphQL type, and every later event too.
 */
export class VerificationRisk1765040000000 implements MigrationInterface {
  name = "VerificationRisk1765040000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE verifications ADD COLUMN sim_swap text CHECK (sim_swap IN ('SWAPPED', 'NOT_SWAPPED', 'UNKNOWN')),
                   ADD COLUMN sim_swap_checked_at timestamptz`);
    await q.query(webhookFunction(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(webhookFunction(false));
    await q.query(`ALTER TABLE verifications DROP COLUMN sim_swap, DROP COLUMN sim_swap_checked_at`);
  }
}
