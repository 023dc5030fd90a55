import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes for abuse protection. The SMS-pumping guard counts an app's settled verifications
 * per number prefix (the E.164 number without its last four digits) and per country over a
 * sliding window; operators list the blocks still in force.
 */
export class AbuseProtection1764300000000 implements MigrationInterface {
  name = "AbuseProtection1764300000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX verifications_app_prefix ON verifications (app_id, left(destination, -4), created_at) WHERE channel IN ('SMS', 'VOICE');
      CREATE INDEX verifications_app_country ON verifications (app_id, destination_country, created_at) WHERE destination_country IS NOT NULL;
      CREATE INDEX rate_limit_blocks_active ON rate_limit_blocks (blocked_until DESC) WHERE lifted_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX verifications_app_prefix, verifications_app_country, rate_limit_blocks_active`);
  }
}
