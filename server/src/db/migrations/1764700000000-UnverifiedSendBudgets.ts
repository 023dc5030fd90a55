import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The pumping guard's unverified-send budgets. A verification remembers which budgets its
 * sends were counted on (so that its approval moves them from unverified to verified), and a
 * block can be a shadow: what record_only mode would have refused.
 */
export class UnverifiedSendBudgets1764700000000 implements MigrationInterface {
  name = "UnverifiedSendBudgets1764700000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE verifications ADD COLUMN pumping_scope text CHECK (pumping_scope IN ('prefix', 'fresh', 'known'));
      ALTER TABLE rate_limit_blocks ADD COLUMN shadow boolean NOT NULL DEFAULT false;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rate_limit_blocks DROP COLUMN shadow;
      ALTER TABLE verifications DROP COLUMN pumping_scope;
    `);
  }
}
