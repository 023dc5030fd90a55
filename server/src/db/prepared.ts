import { createHash } from "node:crypto";
import type { Pool } from "pg";
import type { DataSource } from "typeorm";

/**
 * The hot statements (request, verify, the worker's claim and transitions) as named prepared
 * statements on the pool TypeORM already holds. Profiling under load showed Postgres spending
 * as long planning the request statement as running it (0.14 ms of 0.4), and TypeORM's query
 * runner acquiring and releasing a connection around each one; a named statement is parsed
 * once per connection and, after a few runs, planned once too.
 *
 * Names come from the text, so the same text is the same statement everywhere. A schema
 * change that alters a statement's result columns (a migration while the process runs)
 * makes Postgres refuse the cached plan; that statement then runs unnamed, as before.
 */
export class PreparedQueries {
  private readonly names = new Map<string, string>();
  private readonly stale = new Set<string>();

  constructor(private readonly ds: DataSource) {}

  async query<T = any>(text: string, values: unknown[]): Promise<T[]> {
    const pool = (this.ds.driver as unknown as { master: Pool }).master;
    const name = this.nameOf(text);
    if (this.stale.has(name)) return (await pool.query(text, values)).rows;
    try {
      return (await pool.query({ name, text, values })).rows;
    } catch (err) {
      // 0A000 "cached plan must not change result type": the table changed under the statement.
      const e = err as { code?: string; message?: string };
      if (e.code !== "0A000" || !e.message?.includes("cached plan")) throw err;
      this.stale.add(name);
      return (await pool.query(text, values)).rows;
    }
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (!name) {
      name = `otpg_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }
}

const perDataSource = new WeakMap<DataSource, PreparedQueries>();

/** The one PreparedQueries of a data source (statement names are per connection, the bookkeeping per process). */
export function prepared(ds: DataSource): PreparedQueries {
  let p = perDataSource.get(ds);
  if (!p) perDataSource.set(ds, (p = new PreparedQueries(ds)));
  return p;
}
