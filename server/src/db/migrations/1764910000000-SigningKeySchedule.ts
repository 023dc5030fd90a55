import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Publish first, sign later (tokens/token-signer.ts). `sign_after` is when a key starts
 * signing: `keys rotate` sets it past the JWKS's cache lifetime, so a verifier that cached the
 * JWKS before the rotation never meets the new `kid`. It is a time in the row, not a timer in
 * one process, so every process switches at the same moment. `retired_at` is when a key stops
 * signing (now possibly in the future: the moment its successor starts); `withdrawn_at` takes a
 * leaked key out of the JWKS at once (`keys rotate --now`). Existing keys signed from birth.
 */
export class SigningKeySchedule1764910000000 implements MigrationInterface {
  name = "SigningKeySchedule1764910000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE signing_keys ADD COLUMN sign_after timestamptz, ADD COLUMN withdrawn_at timestamptz;
      UPDATE signing_keys SET sign_after = created_at;
      ALTER TABLE signing_keys ALTER COLUMN sign_after SET NOT NULL, ALTER COLUMN sign_after SET DEFAULT now();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signing_keys DROP COLUMN sign_after, DROP COLUMN withdrawn_at`);
  }
}
