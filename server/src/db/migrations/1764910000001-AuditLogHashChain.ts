import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The staff audit log becomes tamper-evident: each row carries `row_hash` = SHA-256 of the hash
 * of the row before (`prev_hash`, null for the first) and of its own content, so a row changed,
 * removed or moved breaks the chain where it happened (`otp-gateway audit verify`,
 * admin/auth/audit-chain.ts). The append-only trigger stops the gateway's own code; its owner
 * can disable that trigger, but not rewrite the chain without `audit verify` noticing (unless
 * it recomputes every later hash: keep the head `audit verify` prints somewhere else too).
 *
 * The hashing is a BEFORE INSERT trigger, so every insert is chained, whoever wrote it. It
 * serializes on a one-row chain head (`SELECT … FOR UPDATE`, held to commit) and takes the row's
 * id only then, so id order is chain order even when inserts race. SECURITY DEFINER: a gateway
 * role that may only INSERT and SELECT on audit_log needs no right on the head or the sequence
 * (docs/security.md). Existing rows are chained in id order.
 */
export class AuditLogHashChain1764910000001 implements MigrationInterface {
  name = "AuditLogHashChain1764910000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log ADD COLUMN prev_hash bytea, ADD COLUMN row_hash bytea;
      CREATE TABLE audit_log_chain (id int PRIMARY KEY CHECK (id = 1), last_id bigint, last_hash bytea);
      INSERT INTO audit_log_chain (id) VALUES (1);

      -- The content hashed: every column but the id (order is the chain's job) and the hashes.
      -- The time as epoch microseconds, so the session's time zone can't change the text.
      CREATE FUNCTION audit_log_digest(prev bytea, r audit_log) RETURNS bytea LANGUAGE sql STABLE AS $$
        SELECT sha256(coalesce(prev, ''::bytea) || convert_to(jsonb_build_array(
          (extract(epoch FROM r.at) * 1000000)::bigint, r.actor_id, r.actor_email, r.actor_role, r.action,
          r.target_type, r.target_id, r.reason, r.before, r.after, r.ip)::text, 'UTF8'))
      $$;

      LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE;
      ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
      DO $$
      DECLARE r audit_log; h bytea; last bigint;
      BEGIN
        FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
          UPDATE audit_log SET prev_hash = h, row_hash = audit_log_digest(h, r) WHERE id = r.id;
          h := audit_log_digest(h, r);
          last := r.id;
        END LOOP;
        UPDATE audit_log_chain SET last_id = last, last_hash = h;
      END $$;
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

      CREATE FUNCTION audit_log_chain_append() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      DECLARE head bytea;
      BEGIN
        SELECT last_hash INTO head FROM audit_log_chain WHERE id = 1 FOR UPDATE;
        NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
        NEW.prev_hash := head;
        NEW.row_hash := audit_log_digest(head, NEW);
        UPDATE audit_log_chain SET last_id = NEW.id, last_hash = NEW.row_hash WHERE id = 1;
        RETURN NEW;
      END $$;
      REVOKE ALL ON FUNCTION audit_log_chain_append() FROM PUBLIC;
      -- The id comes from the trigger, under the head's lock; an insert with the trigger disabled fails.
      ALTER TABLE audit_log ALTER COLUMN id DROP DEFAULT;
      CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain_append();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER audit_log_chain ON audit_log;
      DROP FUNCTION audit_log_chain_append();
      ALTER TABLE audit_log ALTER COLUMN id SET DEFAULT nextval(pg_get_serial_sequence('audit_log', 'id'));
      ALTER TABLE audit_log DROP COLUMN prev_hash, DROP COLUMN row_hash;
      DROP FUNCTION audit_log_digest(bytea, audit_log);
      DROP TABLE audit_log_chain;
    `);
  }
}
