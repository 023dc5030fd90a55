import type { MigrationInterface, QueryRunner } from "typeorm";

/** Apps and keys, verifications, the delivery outbox with its attempts and event log, verify attempts, blocks, signing keys. */
export class Initial1764100000000 implements MigrationInterface {
  name = "Initial1764100000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        code_length int NOT NULL DEFAULT 6 CHECK (code_length BETWEEN 4 AND 10),
        ttl_seconds int NOT NULL DEFAULT 300 CHECK (ttl_seconds BETWEEN 1 AND 86400),
        max_attempts int NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 20),
        resend_cooldown_seconds int NOT NULL DEFAULT 30 CHECK (resend_cooldown_seconds BETWEEN 0 AND 3600),
        max_sends int NOT NULL DEFAULT 5 CHECK (max_sends BETWEEN 1 AND 1000),
        hourly_budget int CHECK (hourly_budget > 0),
        countries text[],
        default_locale text NOT NULL DEFAULT 'en',
        settings jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_app ON api_keys (app_id);

      CREATE TABLE verifications (
        id uuid PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        channel text NOT NULL,
        destination text NOT NULL,
        destination_country text,
        purpose text,
        locale text NOT NULL,
        transaction jsonb,
        client_ip text,
        code_hash bytea,
        code_cipher bytea,
        code_length int NOT NULL,
        status text NOT NULL DEFAULT 'PENDING',
        failed_attempts int NOT NULL DEFAULT 0,
        max_attempts int NOT NULL,
        send_count int NOT NULL DEFAULT 1,
        expires_at timestamptz NOT NULL,
        resend_available_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX verifications_pending_by_destination ON verifications (app_id, destination, created_at DESC) WHERE status = 'PENDING';
      CREATE INDEX verifications_destination ON verifications (destination, created_at DESC);
      CREATE INDEX verifications_created ON verifications (created_at DESC);
      CREATE INDEX verifications_pending_expiry ON verifications (expires_at) WHERE status = 'PENDING';

      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        verification_id uuid NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
        app_id uuid NOT NULL,
        channel text NOT NULL,
        provider text NOT NULL,
        provider_index int NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'QUEUED',
        provider_message_id text,
        error_code text,
        error_message text,
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        leased_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deliveries_queued ON deliveries (next_attempt_at) WHERE status = 'QUEUED';
      CREATE INDEX deliveries_leased ON deliveries (lease_until) WHERE status = 'SENDING';
      CREATE INDEX deliveries_verification ON deliveries (verification_id, created_at);
      CREATE UNIQUE INDEX deliveries_provider_message ON deliveries (provider, provider_message_id) WHERE provider_message_id IS NOT NULL;
      CREATE INDEX deliveries_created ON deliveries (created_at DESC);

      CREATE TABLE delivery_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        provider text NOT NULL,
        provider_message_id text,
        outcome text NOT NULL,
        error_code text,
        error_message text,
        latency_ms int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, created_at);
      CREATE INDEX delivery_attempts_created ON delivery_attempts (created_at DESC);

      CREATE TABLE delivery_events (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        verification_id uuid NOT NULL,
        status text NOT NULL,
        provider text NOT NULL,
        source text NOT NULL,
        error_code text,
        error_message text,
        raw jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX delivery_events_verification ON delivery_events (verification_id, id);

      CREATE TABLE verify_attempts (
        id bigserial PRIMARY KEY,
        verification_id uuid REFERENCES verifications(id) ON DELETE CASCADE,
        app_id uuid NOT NULL,
        client_ip text,
        outcome text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX verify_attempts_verification ON verify_attempts (verification_id, id);

      CREATE TABLE rate_limit_blocks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        app_id uuid REFERENCES apps(id) ON DELETE CASCADE,
        rule text NOT NULL,
        key_hash text NOT NULL,
        key_masked text NOT NULL,
        hits int NOT NULL,
        "limit" int NOT NULL,
        blocked_until timestamptz NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        lifted_at timestamptz,
        lifted_by text,
        lift_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX rate_limit_blocks_key ON rate_limit_blocks (key_hash, created_at DESC);
      CREATE INDEX rate_limit_blocks_created ON rate_limit_blocks (created_at DESC);

      CREATE TABLE outbox_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
        verification_id uuid NOT NULL,
        app_id uuid NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        subject text,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX outbox_messages_created ON outbox_messages (created_at DESC);

      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_cipher bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_keys, outbox_messages, rate_limit_blocks, verify_attempts, delivery_events,
      delivery_attempts, deliveries, verifications, api_keys, apps`);
  }
}
