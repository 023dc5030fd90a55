import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * verificationAttempts and verificationSummary read one app's deliveries newest first by keyset
 * on (created_at, id): this index serves the page and the time range without a sort or a scan.
 * The destination filter is served by the existing verifications_destination; all apps at once
 * (the dashboard) by deliveries_created.
 */
export class AttemptIndexes1765030000001 implements MigrationInterface {
  name = "AttemptIndexes1765030000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deliveries_app_created ON deliveries (app_id, created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deliveries_app_created`);
  }
}
