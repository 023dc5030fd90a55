import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * One-time links through which a staff member enrols an authenticator, issued by an ADMIN (the
 * Staff page or `otp-gateway admin enrolment-link`). Only the token's SHA-256 is kept; a link
 * expires, is used once, and issuing a new one for the same person revokes the old. The secret
 * being enrolled waits on the link (sealed) until its first code proves it was scanned.
 */
export class StaffEnrolmentLinks1764730000000 implements MigrationInterface {
  name = "StaffEnrolmentLinks1764730000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_enrolment_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        issued_by text NOT NULL,
        pending_cipher bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX admin_enrolment_links_user ON admin_enrolment_links (user_id);
      -- Pending secrets handed out at sign-in to whoever knew the password (trust on first use)
      -- must not become anyone's authenticator now: from here on only a replacement started with
      -- password + current code leaves one there.
      UPDATE admin_users SET totp_pending_cipher = NULL WHERE totp_pending_cipher IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_enrolment_links`);
  }
}
