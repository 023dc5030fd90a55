import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Delivery failover and status callbacks:
 * - `deliveries.failover_round`: full passes through a channel's providers, so the wait between
 *   passes grows while every vendor is down (a delivery is never given up before its code expires);
 * - `deliveries.fallback_of`: the delivery on the app's fallback channel started because this one
 *   failed; unique, so a worker and a status callback racing each other queue it once;
 * - `early_status_callbacks`: signed callbacks that arrived before the worker had recorded the
 *   vendor's message id; applied as soon as it is recorded.
 */
export class DeliveryFailover1764450000000 implements MigrationInterface {
  name = "DeliveryFailover1764450000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE deliveries
        ADD COLUMN failover_round int NOT NULL DEFAULT 0,
        ADD COLUMN fallback_of uuid REFERENCES deliveries(id) ON DELETE CASCADE;
      CREATE UNIQUE INDEX deliveries_fallback_of ON deliveries (fallback_of) WHERE fallback_of IS NOT NULL;

      CREATE TABLE early_status_callbacks (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        provider_message_id text NOT NULL,
        status text NOT NULL,
        error_code text,
        error_message text,
        raw jsonb,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX early_status_callbacks_message ON early_status_callbacks (provider, provider_message_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE early_status_callbacks;
      ALTER TABLE deliveries DROP COLUMN fallback_of, DROP COLUMN failover_round;
    `);
  }
}
