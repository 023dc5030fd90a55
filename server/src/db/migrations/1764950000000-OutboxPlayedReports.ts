import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The development outbox reports its messages DELIVERED (or UNDELIVERED) after a delay
 * (providers/outbox/outbox-phone.ts): which status, and when it is due. The due time is a
 * column rather than only a timer so that the worker's sweep reports what a stopped process
 * left unreported. Null once reported (and for every message kept before this migration).
 */
export class OutboxPlayedReports1764950000000 implements MigrationInterface {
  name = "OutboxPlayedReports1764950000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_messages ADD COLUMN report_status text, ADD COLUMN report_due_at timestamptz`);
    await q.query(`CREATE INDEX outbox_messages_report_due ON outbox_messages (report_due_at) WHERE report_due_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_messages_report_due`);
    await q.query(`ALTER TABLE outbox_messages DROP COLUMN report_status, DROP COLUMN report_due_at`);
  }
}
