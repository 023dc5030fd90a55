/**
 * PreparedQueries: hot statements run as named prepared statements, and a schema change under
 * a running process (a migration adding a column) must not break them: Postgres refuses a
 * cached plan whose result columns changed, and the statement then runs unnamed.
 */
import "reflect-metadata";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { createDataSource } from "../../server/src/db/data-source";
import { prepared } from "../../server/src/db/prepared";
import { createTestDatabase } from "../helpers/test-database";

let db: { url: string; drop(): Promise<void> };
let ds: DataSource;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = createDataSource(db.url, 1); // one connection: every call meets the statement prepared on it
  await ds.initialize();
  await ds.query(`CREATE TABLE t (a int)`);
  await ds.query(`INSERT INTO t VALUES (1)`);
}, 60_000);

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

it("prepares once per connection, and survives a column added under it", async () => {
  const q = prepared(ds);
  expect(await q.query(`SELECT * FROM t WHERE a = $1`, [1])).toEqual([{ a: 1 }]);
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'SELECT * FROM t WHERE a = $1%'`);
  expect(n).toBe(1);
  expect(prepared(ds)).toBe(q);

  await ds.query(`ALTER TABLE t ADD COLUMN b text DEFAULT 'x'`);
  expect(await q.query(`SELECT * FROM t WHERE a = $1`, [1])).toEqual([{ a: 1, b: "x" }]);
  expect(await q.query(`SELECT * FROM t WHERE a = $1`, [1])).toEqual([{ a: 1, b: "x" }]);
  // Other errors are not swallowed.
  await expect(q.query(`SELECT * FROM missing_table WHERE a = $1`, [1])).rejects.toMatchObject({ code: "42P01" });
});
