import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { Client } from "pg";
import { ADMIN_DATABASE_URL, TEST_RUN_ENV, TEST_TEMPLATE_ENV } from "./test-database";

/** The run id in a database's name: the vitest process's pid, then a random part. */
const RUN_NAME = /^otpg_(?:t|tpl)_(\d+)_[0-9a-f]{6}(?:_|$)/;

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Drops the databases `names`, a few at a time (each connection counts against the server's max_connections). */
async function dropAll(names: string[]): Promise<void> {
  const queue = [...names];
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, () => withAdmin(async (c) => {
    for (let name = queue.shift(); name; name = queue.shift()) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  })));
}

async function runDatabases(pattern: string): Promise<string[]> {
  return withAdmin(async (c) => (await c.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [pattern])).rows.map((r) => r.datname as string));
}

/**
 * Vitest global setup, after fresh-build.ts: names the run (test-database.ts names its databases
 * after it), migrates one template database with the gateway's own migrate() from dist/, which
 * startGateway's databases are copied from, and at the end drops the template and whatever
 * databases of the run the workers' background drops left. Databases left by runs whose process
 * has gone (killed before their teardown) are dropped first.
 */
export default async function testDatabases(): Promise<() => Promise<void>> {
  const run = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const stale = (await runDatabases("otpg\\_t%")).filter((n) => {
    const m = RUN_NAME.exec(n);
    return m !== null && !alive(Number(m[1]));
  });
  await dropAll(stale);

  const template = `otpg_tpl_${run}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${template}`));
  // dist/ is current: fresh-build.ts ran first. The same migrations a gateway runs at start.
  require("reflect-metadata");
  const { createDataSource, migrate } = require(resolve(__dirname, "../../dist/server/src/db/data-source.js")) as typeof import("../../server/src/db/data-source");
  const ds = createDataSource(ADMIN_DATABASE_URL.replace(/\/[^/]*$/, `/${template}`), 2);
  await ds.initialize();
  try {
    await migrate(ds);
  } finally {
    await ds.destroy();
  }
  process.env[TEST_RUN_ENV] = run;
  process.env[TEST_TEMPLATE_ENV] = template;

  return async () => {
    await dropAll([...(await runDatabases(`otpg\\_t\\_${run}\\_%`)), template]);
  };
}
