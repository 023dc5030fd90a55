import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The hourly rollup behind verificationSummary and the dashboard's "Spend & conversion"
 * (attempts/rollup/). One row per (UTC hour, app, country, channel, provider, currency, first
 * mask, converted): how many deliveries, how many handed to a vendor, how many priced, what they
 * cost. `first_mask` bit b (b = DAY 1 | CHANNEL 2 | PROVIDER 4) says the delivery is its
 * verification's first with that combination of day, channel and provider: summing the rows whose
 * bit is set counts distinct verifications, as the summary's count(DISTINCT) does.
 *
 * The triggers mark an hour the roller has (or may have) closed as dirty in the statement that
 * changes what it holds — a late status report or price, a verification approved after its
 * hour, a row deleted by retention — so the summary reads it live until it is rolled again.
 * They fire only for rows of a past hour (clock time): the hot path's own-hour updates skip them.
 */
export class AttemptRollup1765050000001 implements MigrationInterface {
  name = "AttemptRollup1765050000001";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attempt_rollup (
        hour timestamptz NOT NULL,
        app_id uuid NOT NULL,
        country text,
        channel text NOT NULL,
        provider text NOT NULL,
        currency text,
        first_mask smallint NOT NULL,
        converted boolean NOT NULL,
        deliveries integer NOT NULL,
        attempts integer NOT NULL,
        priced integer NOT NULL,
        amount numeric
      );
      CREATE INDEX attempt_rollup_hour ON attempt_rollup (hour, app_id);
      CREATE INDEX attempt_rollup_app_hour ON attempt_rollup (app_id, hour);
      -- Hours rolled (whole: every app's rows of the hour, written in one transaction).
      CREATE TABLE attempt_rollup_hours (hour timestamptz PRIMARY KEY, rolled_at timestamptz NOT NULL DEFAULT now());
      -- Rolled hours whose rows changed since: read live until the next pass rolls them again.
      CREATE TABLE attempt_rollup_dirty (hour timestamptz PRIMARY KEY, marked_at timestamptz NOT NULL DEFAULT now());
      -- Verifications whose deliveries fall in more than one hour: the ones a period can start in
      -- the middle of, whose "first" the rollup cannot know (the summary recounts them live).
      CREATE TABLE attempt_rollup_spans (
        verification_id uuid PRIMARY KEY,
        app_id uuid NOT NULL,
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL
      );
      CREATE INDEX attempt_rollup_spans_range ON attempt_rollup_spans USING gist (tstzrange(first_at, last_at, '[]'));

      CREATE FUNCTION attempt_rollup_mark_verification(vid uuid, since timestamptz) RETURNS void LANGUAGE sql AS $$
        INSERT INTO attempt_rollup_dirty (hour)
        SELECT DISTINCT date_trunc('hour', d.created_at, 'UTC') FROM deliveries d
         WHERE d.verification_id = vid AND d.created_at >= date_trunc('hour', since, 'UTC')
           AND d.created_at < date_trunc('hour', clock_timestamp(), 'UTC')
        ON CONFLICT (hour) DO NOTHING
      $$;
      -- A delivery's status, price, channel or provider (or a late insert) changes its own hour
      -- and, through "first", the later hours of its verification.
      CREATE FUNCTION attempt_rollup_delivery_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO attempt_rollup_dirty (hour) VALUES (date_trunc('hour', NEW.created_at, 'UTC')) ON CONFLICT (hour) DO NOTHING;
        PERFORM attempt_rollup_mark_verification(NEW.verification_id, NEW.created_at);
        RETURN NULL;
      END $$;
      CREATE TRIGGER attempt_rollup_delivery_updated AFTER UPDATE ON deliveries FOR EACH ROW
        WHEN (NEW.created_at < date_trunc('hour', clock_timestamp(), 'UTC')
          AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.price_amount IS DISTINCT FROM NEW.price_amount
            OR OLD.price_currency IS DISTINCT FROM NEW.price_currency OR OLD.channel IS DISTINCT FROM NEW.channel
            OR OLD.provider IS DISTINCT FROM NEW.provider OR OLD.created_at IS DISTINCT FROM NEW.created_at
            OR OLD.app_id IS DISTINCT FROM NEW.app_id))
        EXECUTE FUNCTION attempt_rollup_delivery_changed();
      CREATE TRIGGER attempt_rollup_delivery_inserted AFTER INSERT ON deliveries FOR EACH ROW
        WHEN (NEW.created_at < date_trunc('hour', clock_timestamp(), 'UTC'))
        EXECUTE FUNCTION attempt_rollup_delivery_changed();
      CREATE FUNCTION attempt_rollup_deliveries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO attempt_rollup_dirty (hour)
        SELECT DISTINCT date_trunc('hour', o.created_at, 'UTC') FROM gone o
         WHERE o.created_at < date_trunc('hour', clock_timestamp(), 'UTC')
        ON CONFLICT (hour) DO NOTHING;
        RETURN NULL;
      END $$;
      CREATE TRIGGER attempt_rollup_deliveries_deleted AFTER DELETE ON deliveries REFERENCING OLD TABLE AS gone
        FOR EACH STATEMENT EXECUTE FUNCTION attempt_rollup_deliveries_deleted();
      -- Approved (or no longer) after its hour: every past hour of its deliveries converts differently.
      -- A verification created this hour has no delivery in a past one (they are made with it or
      -- after): the approvals of the hot path skip the trigger.
      CREATE FUNCTION attempt_rollup_verification_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM attempt_rollup_mark_verification(NEW.id, '-infinity');
        RETURN NULL;
      END $$;
      CREATE TRIGGER attempt_rollup_verification_updated AFTER UPDATE ON verifications FOR EACH ROW
        WHEN (NEW.created_at < date_trunc('hour', clock_timestamp(), 'UTC')
          AND ((OLD.status = 'APPROVED') IS DISTINCT FROM (NEW.status = 'APPROVED')
            OR OLD.destination_country IS DISTINCT FROM NEW.destination_country))
        EXECUTE FUNCTION attempt_rollup_verification_changed();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER attempt_rollup_verification_updated ON verifications;
      DROP TRIGGER attempt_rollup_deliveries_deleted ON deliveries;
      DROP TRIGGER attempt_rollup_delivery_inserted ON deliveries;
      DROP TRIGGER attempt_rollup_delivery_updated ON deliveries;
      DROP FUNCTION attempt_rollup_verification_changed();
      DROP FUNCTION attempt_rollup_deliveries_deleted();
      DROP FUNCTION attempt_rollup_delivery_changed();
      DROP FUNCTION attempt_rollup_mark_verification(uuid, timestamptz);
      DROP TABLE attempt_rollup_spans, attempt_rollup_dirty, attempt_rollup_hours, attempt_rollup;
    `);
  }
}
