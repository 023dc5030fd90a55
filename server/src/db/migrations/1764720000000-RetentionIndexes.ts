import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes the retention job needs to delete old rows in batches without scanning whole
 * tables: a delivery's events and outbox message by delivery, the way the foreign keys'
 * cascades look them up (fallbacks by the delivery they replace are indexed already).
 */
export class RetentionIndexes1764720000000 implements MigrationInterface {
  name = "RetentionIndexes1764720000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX delivery_events_delivery ON delivery_events (delivery_id);
      CREATE INDEX outbox_messages_delivery ON outbox_messages (delivery_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX delivery_events_delivery; DROP INDEX outbox_messages_delivery;`);
  }
}
