import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The webhook triggers (WebhookEvents1764770000000) look for an endpoint that wants the event
 * before building its body: they built it first, and an app without endpoints paid for a JSON
 * snapshot (with a subquery over the deliveries) on every verification and delivery change —
 * measured at several times the cost of the statements themselves. The snapshot is now plpgsql,
 * whose statement plans are cached per session (a SQL function taking a row was planned anew on
 * every call).
 */
export class WebhookTriggersFast1764770000001 implements MigrationInterface {
  name = "WebhookTriggersFast1764770000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION otpg_verification_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        t text := 'verification.' || lower(NEW.status);
        deliveries_json jsonb;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE app_id = NEW.app_id AND (events IS NULL OR t = ANY (events))) THEN RETURN NULL; END IF;
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                 'id', d.id, 'channel', d.channel, 'provider', d.provider, 'status', d.status, 'errorCode', d.error_code,
                 'errorMessage', d.error_message, 'createdAt', otpg_iso(d.created_at), 'updatedAt', otpg_iso(d.updated_at)
               ) ORDER BY d.created_at, d.id), '[]'::jsonb)
          INTO deliveries_json FROM deliveries d WHERE d.verification_id = NEW.id;
        PERFORM otpg_enqueue_webhook_event(NEW.app_id, t, NEW.id::text, NEW.id, jsonb_build_object(
          'id', NEW.id, 'channel', NEW.channel, 'status', NEW.status, 'purpose', NEW.purpose, 'codeLength', NEW.code_length,
          'expiresAt', otpg_iso(NEW.expires_at), 'resendAvailableAt', otpg_iso(NEW.resend_available_at),
          'attemptsRemaining', greatest(0, NEW.max_attempts - NEW.failed_attempts), 'deliveries', deliveries_json
        ));
        RETURN NULL;
      END $$;
      DROP FUNCTION otpg_verification_json(verifications);

      CREATE OR REPLACE FUNCTION otpg_delivery_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        d deliveries;
      BEGIN
        -- One lookup: the delivery, only when its app has an endpoint for delivery events.
        SELECT dl.* INTO d FROM deliveries dl
         WHERE dl.id = NEW.delivery_id
           AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.app_id = dl.app_id AND (e.events IS NULL OR 'delivery.updated' = ANY (e.events)));
        IF NOT FOUND THEN RETURN NULL; END IF;
        -- The event row is the snapshot of this change (the delivery row may have moved on since).
        PERFORM otpg_enqueue_webhook_event(d.app_id, 'delivery.updated', NEW.verification_id::text, NEW.verification_id, jsonb_build_object(
          'verificationId', NEW.verification_id,
          'delivery', jsonb_build_object(
            'id', d.id, 'channel', d.channel, 'provider', NEW.provider, 'status', NEW.status, 'errorCode', NEW.error_code,
            'errorMessage', NEW.error_message, 'createdAt', otpg_iso(d.created_at), 'updatedAt', otpg_iso(NEW.created_at)
          )
        ));
        RETURN NULL;
      END $$;

      CREATE OR REPLACE FUNCTION otpg_block_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE app_id = NEW.app_id AND (events IS NULL OR 'block.created' = ANY (events))) THEN
          RETURN NULL;
        END IF;
        -- Never the limiter key in clear (details.limiterKey): the masked key only.
        PERFORM otpg_enqueue_webhook_event(NEW.app_id, 'block.created', NEW.id::text, NULL, jsonb_build_object(
          'id', NEW.id, 'rule', NEW.rule, 'key', NEW.key_masked, 'hits', NEW.hits, 'limit', NEW."limit",
          'blockedUntil', otpg_iso(NEW.blocked_until), 'createdAt', otpg_iso(NEW.created_at)
        ));
        RETURN NULL;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // The trigger functions keep their names (the earlier bodies, slower, same events, are in
    // WebhookEvents1764770000000); only the snapshot function it dropped comes back.
    await q.query(`
      CREATE FUNCTION otpg_verification_json(v verifications) RETURNS jsonb LANGUAGE sql STABLE AS $$
        SELECT jsonb_build_object(
          'id', v.id, 'channel', v.channel, 'status', v.status, 'purpose', v.purpose, 'codeLength', v.code_length,
          'expiresAt', otpg_iso(v.expires_at), 'resendAvailableAt', otpg_iso(v.resend_available_at),
          'attemptsRemaining', greatest(0, v.max_attempts - v.failed_attempts),
          'deliveries', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
              'id', d.id, 'channel', d.channel, 'provider', d.provider, 'status', d.status, 'errorCode', d.error_code,
              'errorMessage', d.error_message, 'createdAt', otpg_iso(d.created_at), 'updatedAt', otpg_iso(d.updated_at)
            ) ORDER BY d.created_at, d.id) FROM deliveries d WHERE d.verification_id = v.id
          ), '[]'::jsonb)
        )
      $$;
    `);
  }
}
