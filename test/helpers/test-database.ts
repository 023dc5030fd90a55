import { randomBytes } from "node:crypto";
import { Client } from "pg";

/** The machine's Postgres (CI and developers run one on 5432 with trust auth). */
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Set by the vitest global setup (test/helpers/test-databases.ts) for the run: the run's id,
 * which names its databases, and a database the gateway's migrations have already run on.
 * Unset (the bench, a script), a database is created empty and dropped when asked.
 */
export const TEST_RUN_ENV = "OTPG_TEST_RUN";
export const TEST_TEMPLATE_ENV = "OTPG_TEST_TEMPLATE";

async function adminQuery(sql: string): Promise<void> {
  const c = new Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** This process's drops in progress, one after another. */
let backgroundDrops: Promise<void> = Promise.resolve();

/**
 * A fresh database per suite, so suites run in parallel against one server without seeing each other.
 * `migrated`: a copy of the run's migrated template (for gateways, which would migrate it at start
 * anyway; the copy takes a tenth of the time). Without it the database is empty, and whatever
 * starts on it runs every migration, as a new deployment does.
 *
 * Within a vitest run, drop() returns at once and the database is dropped in the background, one
 * at a time per worker: DROP DATABASE forces a Postgres checkpoint, a second or more apiece on a
 * busy machine, which the suite need not wait for. The run's teardown drops what is left.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const run = process.env[TEST_RUN_ENV];
  const template = options.migrated ? process.env[TEST_TEMPLATE_ENV] : undefined;
  const name = `otpg_t_${run ? `${run}_` : ""}${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
  const url = ADMIN_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const dropIt = () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      if (!run) return dropIt();
      // A failure leaves it to the teardown (test/helpers/test-databases.ts), which drops the run's databases.
      backgroundDrops = backgroundDrops.then(dropIt).catch(() => undefined);
    },
  };
}
