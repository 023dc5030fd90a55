import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The support dashboard's tables: staff users, their sessions (token hashes only), and the
 * audit log, which is append-only — a trigger refuses UPDATE, DELETE and TRUNCATE, so not even
 * the gateway's own database user can rewrite what staff did.
 */
export class Admin1764400000000 implements MigrationInterface {
  name = "Admin1764400000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN', 'SUPPORT')),
        totp_secret_cipher bytea,
        totp_pending_cipher bytea,
        -- The last TOTP time step accepted, so that a code can't be replayed within its window.
        totp_last_step bigint,
        disabled_at timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX admin_users_email ON admin_users (lower(email));

      CREATE TABLE admin_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX admin_sessions_user ON admin_sessions (user_id);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid,
        actor_email text NOT NULL,
        actor_role text,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        reason text,
        before jsonb,
        after jsonb,
        ip text
      );
      CREATE INDEX audit_log_at ON audit_log (at DESC);
      CREATE INDEX audit_log_target ON audit_log (target_type, target_id, at DESC);

      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

      -- The delivery log and provider statistics filter attempts by time, provider and error.
      CREATE INDEX delivery_attempts_provider_created ON delivery_attempts (provider, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS delivery_attempts_provider_created;
      DROP TABLE audit_log;
      DROP FUNCTION audit_log_append_only();
      DROP TABLE admin_sessions, admin_users;
    `);
  }
}
