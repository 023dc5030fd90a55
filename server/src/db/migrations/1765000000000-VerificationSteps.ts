import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Ordered channels in one verification (contract "Ordered channels"): a verification asked with
 * `next` keeps its plan as rows, one per step. A waiting step's timer is its `starts_at`, claimed
 * by workers like a delivery (FOR UPDATE SKIP LOCKED, with a lease), so it survives a restart of
 * every process. A delivery sent for a step names it (`deliveries.step_id`), and may go to the
 * step's own destination (`deliveries.destination`, null: the verification's).
 *
 * The trigger closes the plan in the statement that closes the verification (approval, cancel,
 * expiry, lock-out, failure, a newer request): the active step is DONE, the waiting ones SKIPPED.
 */
export class VerificationSteps1765000000000 implements MigrationInterface {
  name = "VerificationSteps1765000000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE verification_steps (
        id uuid PRIMARY KEY,
        verification_id uuid NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
        app_id uuid NOT NULL,
        position int NOT NULL,
        channel text NOT NULL,
        destination text NOT NULL,
        after_seconds int NOT NULL,
        status text NOT NULL,
        starts_at timestamptz,
        started_at timestamptz,
        ended_at timestamptz,
        started_reason text,
        ended_reason text,
        delivery_id uuid,
        lease_until timestamptz,
        leased_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (verification_id, position)
      );
      CREATE INDEX verification_steps_due ON verification_steps (starts_at) WHERE status = 'WAITING' AND starts_at IS NOT NULL;
      ALTER TABLE deliveries ADD COLUMN step_id uuid, ADD COLUMN destination text;

      CREATE FUNCTION otpg_close_verification_steps() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE verification_steps
           SET status = CASE WHEN status = 'ACTIVE' THEN 'DONE' ELSE 'SKIPPED' END,
               ended_at = now(), ended_reason = lower(NEW.status), lease_until = NULL, updated_at = now()
         WHERE verification_id = NEW.id AND status IN ('WAITING', 'ACTIVE');
        RETURN NULL;
      END $$;
      CREATE TRIGGER verifications_close_steps AFTER UPDATE OF status ON verifications
        FOR EACH ROW WHEN (OLD.status = 'PENDING' AND NEW.status <> 'PENDING') EXECUTE FUNCTION otpg_close_verification_steps();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER verifications_close_steps ON verifications;
      DROP FUNCTION otpg_close_verification_steps();
      ALTER TABLE deliveries DROP COLUMN step_id, DROP COLUMN destination;
      DROP TABLE verification_steps;
    `);
  }
}
