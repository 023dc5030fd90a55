import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The conversion model of the pumping guard (protection/pump-step.ts): a send can be counted in
 * the app's unproven territory ("unproven"). The share of requests without clientIp and the
 * replay read an app's requests by time (app_id, created_at); a block's row figures read a
 * prefix over every paid phone channel.
 */
export class ConversionBudgets1764900000000 implements MigrationInterface {
  name = "ConversionBudgets1764900000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE verifications DROP CONSTRAINT IF EXISTS verifications_pumping_scope_check;
      ALTER TABLE verifications ADD CONSTRAINT verifications_pumping_scope_check CHECK (pumping_scope IN ('prefix', 'fresh', 'known', 'unproven'));
      -- Every paid phone channel is judged by prefix, WhatsApp included (the old index knew SMS and VOICE).
      DROP INDEX IF EXISTS verifications_app_prefix;
      CREATE INDEX verifications_app_prefix ON verifications (app_id, left(destination, -4), created_at) WHERE channel <> 'EMAIL';
      CREATE INDEX verifications_app_created ON verifications (app_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS verifications_app_created;
      DROP INDEX IF EXISTS verifications_app_prefix;
      CREATE INDEX verifications_app_prefix ON verifications (app_id, left(destination, -4), created_at) WHERE channel IN ('SMS', 'VOICE');
      UPDATE verifications SET pumping_scope = 'fresh' WHERE pumping_scope = 'unproven';
      ALTER TABLE verifications DROP CONSTRAINT IF EXISTS verifications_pumping_scope_check;
      ALTER TABLE verifications ADD CONSTRAINT verifications_pumping_scope_check CHECK (pumping_scope IN ('prefix', 'fresh', 'known'));
    `);
  }
}
