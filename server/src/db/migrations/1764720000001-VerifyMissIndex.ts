import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * verifyOtp now records codes aimed at nothing (NOT_FOUND) as verify attempts without a
 * verification; the retention job deletes old ones by time through this small partial index.
 */
export class VerifyMissIndex1764720000001 implements MigrationInterface {
  name = "VerifyMissIndex1764720000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX verify_attempts_misses ON verify_attempts (created_at) WHERE verification_id IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX verify_attempts_misses`);
  }
}
