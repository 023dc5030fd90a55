import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * verificationAttempts and verificationSummary read one app's deliveries newest first by keyset
 * on (created_at, id): this index serves the page and the time range without a sort or a scan.
 * The destination filter is served by the existing verifications_destination; all apps at once
 * (the dashboard) by deliveries_created. Early status callbacks get room for a reported price.
 */
export class AttemptIndexes1765030000001 implements MigrationInterface {
  name = "AttemptIndexes1765030000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_app_created ON deliveries (app_id, created_at DESC, id DESC)`);
    // A status report that beats the worker's record keeps its price until it is applied.
    await q.query(`ALTER TABLE early_status_callbacks ADD COLUMN price_amount numeric(14,6), ADD COLUMN price_currency text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE early_status_callbacks DROP COLUMN price_amount, DROP COLUMN price_currency`);
    await q.query(`DROP INDEX deliveries_app_created`);
  }
}
