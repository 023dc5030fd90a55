import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Shadow-mode blocks (UnverifiedSendBudgets: the pumping guard records what it would have
 * refused, and refuses nothing) are no `block.created` for the app: nothing was blocked.
 */
export class WebhookShadowBlocks1764770000003 implements MigrationInterface {
  name = "WebhookShadowBlocks1764770000003";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER rate_limit_blocks_webhook ON rate_limit_blocks;
      CREATE TRIGGER rate_limit_blocks_webhook AFTER INSERT ON rate_limit_blocks
        FOR EACH ROW WHEN (NEW.app_id IS NOT NULL AND NOT NEW.shadow) EXECUTE FUNCTION otpg_block_webhook();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER rate_limit_blocks_webhook ON rate_limit_blocks;
      CREATE TRIGGER rate_limit_blocks_webhook AFTER INSERT ON rate_limit_blocks
        FOR EACH ROW WHEN (NEW.app_id IS NOT NULL) EXECUTE FUNCTION otpg_block_webhook();
    `);
  }
}
