import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The channel the vendor reports having used, when it differs from the delivery's own: an RCS
 * message that Twilio's Messaging Service sent as SMS itself (the device has no RCS). Null
 * otherwise. Kept on the delivery so the timeline, the figures and its price (SMS, not RCS)
 * can say so. A callback that beats the worker to the message id keeps it until applied.
 */
export class DeliverySentAs1765020000000 implements MigrationInterface {
  name = "DeliverySentAs1765020000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN sent_as text`);
    await q.query(`ALTER TABLE early_status_callbacks ADD COLUMN sent_as text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE early_status_callbacks DROP COLUMN sent_as`);
    await q.query(`ALTER TABLE deliveries DROP COLUMN sent_as`);
  }
}
