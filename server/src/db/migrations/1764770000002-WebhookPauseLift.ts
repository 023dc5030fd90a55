import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A paused webhook endpoint's record is a block (rule `webhook_endpoint_paused`), so operators
 * find it with the other blocks; lifting it there (`otp-gateway block lift`, the dashboard's
 * blocks page) resumes the endpoint, in the same transaction, exactly as
 * `app webhook resume` does (which lifts the block in turn: the two stay in step).
 */
export class WebhookPauseLift1764770000002 implements MigrationInterface {
  name = "WebhookPauseLift1764770000002";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION otpg_webhook_pause_lifted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        endpoint uuid;
      BEGIN
        endpoint := (NEW.details->>'endpointId')::uuid;
        UPDATE webhook_endpoints SET status = 'ACTIVE', paused_at = NULL, pause_reason = NULL, consecutive_failures = 0,
               failing_since = NULL, updated_at = now()
         WHERE id = endpoint AND status = 'PAUSED';
        IF FOUND THEN
          UPDATE webhook_messages SET next_attempt_at = now(), window_start = now(), updated_at = now()
           WHERE endpoint_id = endpoint AND status = 'PENDING';
          PERFORM pg_notify('otpg_webhook', '');
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER rate_limit_blocks_webhook_pause_lifted AFTER UPDATE OF lifted_at ON rate_limit_blocks
        FOR EACH ROW WHEN (NEW.rule = 'webhook_endpoint_paused' AND OLD.lifted_at IS NULL AND NEW.lifted_at IS NOT NULL)
        EXECUTE FUNCTION otpg_webhook_pause_lifted();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER rate_limit_blocks_webhook_pause_lifted ON rate_limit_blocks;
      DROP FUNCTION otpg_webhook_pause_lifted();
    `);
  }
}
