import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Outbound webhooks: an app's endpoints, and a second transactional outbox of events.
 *
 * Events are written by triggers on the rows whose change causes them (a verification's
 * status, a delivery's status change — every one of which already appends a delivery_events
 * row —, a block), so they commit in the same transaction as that change, whichever statement
 * makes it: a transition added later (by the CLI, the dashboard, a new service) emits its event
 * without knowing about webhooks. Code that has no such row calls
 * `otpg_enqueue_webhook_event(app, type, ordering_key, verification, data)` in its own statement.
 *
 * An event is stored only when the app has an endpoint that wants its type (no endpoints: no
 * rows, nothing on the request path but one index probe), with one webhook_messages row per
 * endpoint: the worker role claims those (FOR UPDATE SKIP LOCKED, with a lease), one at a time
 * per (endpoint, ordering key), in seq order. `data` is the event's body without the masked
 * destination, which the sender adds (masking needs libphonenumber, not SQL).
 */
export class WebhookEvents1764770000000 implements MigrationInterface {
  name = "WebhookEvents1764770000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        url text NOT NULL,
        events text[],
        secret_cipher bytea NOT NULL,
        status text NOT NULL DEFAULT 'ACTIVE',
        consecutive_failures int NOT NULL DEFAULT 0,
        failing_since timestamptz,
        paused_at timestamptz,
        pause_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX webhook_endpoints_app ON webhook_endpoints (app_id);

      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        type text NOT NULL,
        verification_id uuid,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX webhook_events_verification ON webhook_events (verification_id, created_at) WHERE verification_id IS NOT NULL;
      CREATE INDEX webhook_events_created ON webhook_events (created_at DESC);

      CREATE TABLE webhook_messages (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        ordering_key text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        window_start timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        leased_by text,
        last_status_code int,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX webhook_messages_due ON webhook_messages (next_attempt_at) WHERE status = 'PENDING';
      CREATE INDEX webhook_messages_leased ON webhook_messages (lease_until) WHERE status = 'SENDING';
      CREATE INDEX webhook_messages_open ON webhook_messages (endpoint_id, ordering_key, id) WHERE status IN ('PENDING', 'SENDING');
      CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id, id DESC);
      CREATE INDEX webhook_messages_event ON webhook_messages (event_id);

      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        message_id bigint NOT NULL REFERENCES webhook_messages(id) ON DELETE CASCADE,
        status_code int,
        latency_ms int NOT NULL,
        error text,
        outcome text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX webhook_attempts_message ON webhook_attempts (message_id, id);

      CREATE FUNCTION otpg_iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      $$;

      CREATE FUNCTION otpg_enqueue_webhook_event(p_app uuid, p_type text, p_ordering_key text, p_verification uuid, p_data jsonb)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        ev uuid;
      BEGIN
        IF p_app IS NULL OR NOT EXISTS (
          SELECT 1 FROM webhook_endpoints WHERE app_id = p_app AND (events IS NULL OR p_type = ANY (events))
        ) THEN
          RETURN;
        END IF;
        INSERT INTO webhook_events (app_id, type, verification_id, data) VALUES (p_app, p_type, p_verification, p_data) RETURNING id INTO ev;
        INSERT INTO webhook_messages (event_id, endpoint_id, ordering_key)
        SELECT ev, id, p_ordering_key FROM webhook_endpoints
         WHERE app_id = p_app AND (events IS NULL OR p_type = ANY (events))
         ORDER BY created_at, id;
        -- Delivered at commit; only apps with endpoints pay for it (see wakeWorkersColumn on NOTIFY's cost).
        PERFORM pg_notify('otpg_webhook', '');
      END $$;

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

      CREATE FUNCTION otpg_verification_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM otpg_enqueue_webhook_event(NEW.app_id, 'verification.' || lower(NEW.status), NEW.id::text, NEW.id, otpg_verification_json(NEW));
        RETURN NULL;
      END $$;
      CREATE TRIGGER verifications_webhook_insert AFTER INSERT ON verifications
        FOR EACH ROW EXECUTE FUNCTION otpg_verification_webhook();
      CREATE TRIGGER verifications_webhook_status AFTER UPDATE OF status ON verifications
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION otpg_verification_webhook();

      CREATE FUNCTION otpg_delivery_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        d deliveries;
      BEGIN
        SELECT * INTO d FROM deliveries WHERE id = NEW.delivery_id;
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
      CREATE TRIGGER delivery_events_webhook AFTER INSERT ON delivery_events
        FOR EACH ROW EXECUTE FUNCTION otpg_delivery_webhook();

      CREATE FUNCTION otpg_block_webhook() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Never the limiter key in clear (details.limiterKey): the masked key only.
        PERFORM otpg_enqueue_webhook_event(NEW.app_id, 'block.created', NEW.id::text, NULL, jsonb_build_object(
          'id', NEW.id, 'rule', NEW.rule, 'key', NEW.key_masked, 'hits', NEW.hits, 'limit', NEW."limit",
          'blockedUntil', otpg_iso(NEW.blocked_until), 'createdAt', otpg_iso(NEW.created_at)
        ));
        RETURN NULL;
      END $$;
      CREATE TRIGGER rate_limit_blocks_webhook AFTER INSERT ON rate_limit_blocks
        FOR EACH ROW WHEN (NEW.app_id IS NOT NULL) EXECUTE FUNCTION otpg_block_webhook();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER rate_limit_blocks_webhook ON rate_limit_blocks;
      DROP TRIGGER delivery_events_webhook ON delivery_events;
      DROP TRIGGER verifications_webhook_status ON verifications;
      DROP TRIGGER verifications_webhook_insert ON verifications;
      DROP FUNCTION otpg_block_webhook();
      DROP FUNCTION otpg_delivery_webhook();
      DROP FUNCTION otpg_verification_webhook();
      DROP FUNCTION otpg_verification_json(verifications);
      DROP FUNCTION otpg_enqueue_webhook_event(uuid, text, text, uuid, jsonb);
      DROP FUNCTION otpg_iso(timestamptz);
      DROP TABLE webhook_attempts;
      DROP TABLE webhook_messages;
      DROP TABLE webhook_events;
      DROP TABLE webhook_endpoints;
    `);
  }
}
