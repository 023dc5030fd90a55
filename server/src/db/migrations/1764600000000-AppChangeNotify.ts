import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Every change to an app or one of its API keys — a revoke, a settings edit, by the CLI, the
 * dashboard or plain SQL — notifies `otpg_app_changed` with the app's id, at commit. Each
 * API process keeps a small cache of authenticated keys and drops an app's entries on that
 * notification, so revoking a key takes effect everywhere at once without a query per request.
 */
export class AppChangeNotify1764600000000 implements MigrationInterface {
  name = "AppChangeNotify1764600000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION otpg_app_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        target uuid;
      BEGIN
        IF TG_TABLE_NAME = 'apps' THEN
          target := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
        ELSE
          target := CASE WHEN TG_OP = 'DELETE' THEN OLD.app_id ELSE NEW.app_id END;
        END IF;
        PERFORM pg_notify('otpg_app_changed', target::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER apps_changed AFTER UPDATE OR DELETE ON apps FOR EACH ROW EXECUTE FUNCTION otpg_app_changed();
      CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION otpg_app_changed();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER api_keys_changed ON api_keys;
      DROP TRIGGER apps_changed ON apps;
      DROP FUNCTION otpg_app_changed();
    `);
  }
}
