import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every SIM-swap check of a verification (contract "SIM-swap check before a phone code"), not
 * only the request's: a resend and a workflow step to a number not yet checked are checked too
 * (risk/sim-swap-record.ts). One row per check — what it said, for which send (`trigger`:
 * request, resend or step, with the step's position) and whether it refused that send — so the
 * timeline shows each. The verification's own `sim_swap` keeps the worst result seen (what its
 * token and events say). The whole number is kept like the verification's own destination
 * (a step may go elsewhere), masked wherever SUPPORT reads it, and goes with the verification
 * (retention deletes the verification; the rows follow by cascade).
 * Backfilled from the request checks already on verifications.
 */
export class VerificationRiskChecks1765050000000 implements MigrationInterface {
  name = "VerificationRiskChecks1765050000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE verification_risk_checks (
        id bigserial PRIMARY KEY,
        verification_id uuid NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
        app_id uuid NOT NULL,
        destination text NOT NULL,
        channel text NOT NULL,
        trigger text NOT NULL CHECK (trigger IN ('request', 'resend', 'step')),
        step_position int,
        sim_swap text NOT NULL CHECK (sim_swap IN ('SWAPPED', 'NOT_SWAPPED', 'UNKNOWN')),
        refused boolean NOT NULL DEFAULT false,
        checked_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX verification_risk_checks_verification ON verification_risk_checks (verification_id, destination);
      INSERT INTO verification_risk_checks (verification_id, app_id, destination, channel, trigger, sim_swap, checked_at)
      SELECT id, app_id, destination, channel, 'request', sim_swap, coalesce(sim_swap_checked_at, created_at)
        FROM verifications WHERE sim_swap IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE verification_risk_checks`);
  }
}
