import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Authenticator-app (TOTP) factors of an app's end users, and one row per verify attempt on
 * a factor (the dashboard's timeline). The secret rests sealed (AES-GCM, the factor id as
 * associated data) and is erased on revocation; `last_step` is the newest accepted time step,
 * advanced only by a guarded UPDATE so that a code is accepted once.
 */
export class TotpFactors1764740000000 implements MigrationInterface {
  name = "TotpFactors1764740000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE totp_factors (
        id uuid PRIMARY KEY,
        app_id uuid NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        subject text NOT NULL,
        label text,
        status text NOT NULL DEFAULT 'UNVERIFIED' CHECK (status IN ('UNVERIFIED', 'VERIFIED', 'REVOKED')),
        secret_cipher bytea,
        last_step bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        verified_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX totp_factors_subject ON totp_factors (app_id, subject, created_at);
      CREATE INDEX totp_factors_unverified ON totp_factors (created_at) WHERE status = 'UNVERIFIED';

      CREATE TABLE totp_attempts (
        id bigserial PRIMARY KEY,
        factor_id uuid NOT NULL REFERENCES totp_factors(id) ON DELETE CASCADE,
        app_id uuid NOT NULL,
        client_ip text,
        outcome text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX totp_attempts_factor ON totp_attempts (factor_id, created_at DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE totp_attempts; DROP TABLE totp_factors;`);
  }
}
