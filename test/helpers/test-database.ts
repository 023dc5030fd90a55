import { randomBytes } from "node:crypto";
import { Client } from "pg";

/** The machine's Postgres (CI and developers run one on 5432 with trust auth). */
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A fresh database per suite, so suites run in parallel against one server without seeing each other. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `otpg_t_${randomBytes(6).toString("hex")}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = ADMIN_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new Client({ connectionString: ADMIN_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
