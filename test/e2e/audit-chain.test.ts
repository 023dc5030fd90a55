import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Client } from "pg";
import { DataSource } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditLog, type AuditEntry } from "../../server/src/admin/auth/audit-log";
import { parseAnchor, verifyAuditChain } from "../../server/src/admin/auth/audit-chain";
import { migrate } from "../../server/src/db/data-source";
import { migrations } from "../../server/src/db/migrations";
import { AuditLogHashChain1764910000001 } from "../../server/src/db/migrations/1764910000001-AuditLogHashChain";
import { createDataSource } from "../../server/src/db/data-source";
import { runCli } from "../helpers/cli";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { ADMIN_DATABASE_URL, createTestDatabase } from "../helpers/test-database";

/** Each CLI run starts a Node process that loads the whole gateway: seconds apiece on a loaded two-core machine. */
const CLI_TIMEOUT = 180_000;

const entry = (i: number): AuditEntry => ({
  actor: { id: null, email: "cli:auditor", role: null }, action: "test.action", targetType: "thing", targetId: `t-${i}`,
  reason: `reason ${i}`, before: { n: i }, after: { n: i + 1, nested: { at: "2026-12-07T10:00:00Z" } }, ip: "192.0.2.1",
});

/** What the owner of the database (it can disable the append-only trigger) does to the log, undone after the check. */
async function asOwner(ds: DataSource, sql: string, params: unknown[] = []) {
  await ds.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
  try {
    await ds.query(sql, params);
  } finally {
    await ds.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
  }
}

/**
 * The staff audit log is tamper-evident (contract "Signing keys and the audit log"): each row
 * carries a hash of its content and of the row before, and `otp-gateway audit verify` exits 0
 * with the row count when the chain is intact, 1 naming the first row changed, removed or
 * reordered. Until December 2026 a database owner could disable the append-only trigger and
 * rewrite the log without a trace.
 */
describe("audit log hash chain", () => {
  let gw: TestGateway;
  let ds: DataSource;
  const cli = (args: string[]) => runCli(["audit", "verify", ...args], { DATABASE_URL: gw.env.DATABASE_URL, OTP_SECRET: gw.env.OTP_SECRET, DATA_DIR: gw.env.DATA_DIR });
  const ids = async (): Promise<string[]> => (await ds.query(`SELECT a.id::text FROM audit_log a ORDER BY a.id`)).map((r: { id: string }) => r.id);
  const intact = async () => expect(await verifyAuditChain(ds)).toMatchObject({ intact: true });

  beforeAll(async () => {
    gw = await startGateway();
    ds = gw.app.db.ds;
    const log = new AuditLog(ds);
    for (let i = 0; i < 5; i++) await log.record(entry(i));
    // Racing inserts, each in its own transaction (as staff actions are): the chain serializes them.
    await Promise.all(Array.from({ length: 40 }, (_, i) => ds.transaction((m) => log.record(entry(100 + i), m))));
  });
  afterAll(() => gw?.stop());

  it("an intact chain: exit 0 with the row count; racing inserts chained in id order", async () => {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM audit_log`);
    expect(n).toBeGreaterThanOrEqual(45);
    const r = cli([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Audit log intact: ${n} rows; head \\d+:[0-9a-f]{64}\\n$`));
    const json = cli(["--json"]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: true, rows: n, head: { id: (await ids()).at(-1) } });
  }, CLI_TIMEOUT);

  it("a row's content changed by the database owner: exit 1 naming that row", async () => {
    const target = (await ids())[10];
    const [{ reason }] = await ds.query(`SELECT reason FROM audit_log WHERE id = $1`, [target]);
    await asOwner(ds, `UPDATE audit_log SET reason = 'nothing to see' WHERE id = $1`, [target]);
    try {
      const r = cli([]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`row ${target} was changed`);
      expect(r.stdout).toBe("");
      expect(JSON.parse(cli(["--json"]).stdout)).toMatchObject({ intact: false, rowId: target, problem: "changed", rows: 10 });
    } finally {
      await asOwner(ds, `UPDATE audit_log SET reason = $2 WHERE id = $1`, [target, reason]);
    }
    await intact();
    // Rewritten together with a recomputed hash, the row breaks the link of the row after it.
    const [{ id: next }] = await ds.query(`SELECT a.id::text FROM audit_log a WHERE a.id > $1 ORDER BY a.id LIMIT 1`, [target]);
    // (An UPDATE's expressions see the row as it was: the content first, then its hash.)
    const rewrite = async (text: string) => {
      await asOwner(ds, `UPDATE audit_log SET reason = $2 WHERE id = $1`, [target, text]);
      await asOwner(ds, `UPDATE audit_log SET row_hash = audit_log_digest(prev_hash, audit_log) WHERE id = $1`, [target]);
    };
    await rewrite("nothing to see");
    expect(await verifyAuditChain(ds)).toMatchObject({ intact: false, rowId: next, problem: "out_of_place" });
    await rewrite(reason);
    await intact();
  }, CLI_TIMEOUT);

  it("a middle row deleted: exit 1 naming the row where the chain breaks", async () => {
    const all = await ids();
    const [removed, next, before] = [all[20], all[21], all[19]];
    // Kept aside in the database, byte for byte (a round trip through JSON would round the time to milliseconds).
    await ds.query(`CREATE TABLE audit_saved AS SELECT * FROM audit_log WHERE id = $1`, [removed]);
    await asOwner(ds, `DELETE FROM audit_log WHERE id = $1`, [removed]);
    try {
      const r = cli([]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`row ${next} does not follow row ${before}`);
      expect(r.stderr).toContain("removed");
    } finally {
      await asOwner(ds, `INSERT INTO audit_log SELECT * FROM audit_saved`);
      await ds.query(`DROP TABLE audit_saved`);
    }
    await intact();
  }, CLI_TIMEOUT);

  it("two rows swapped: exit 1 naming the first one out of place", async () => {
    const all = await ids();
    const [a, b] = [all[30], all[31]];
    const swap = async () => {
      await asOwner(ds, `UPDATE audit_log SET id = -1 WHERE id = $1`, [a]);
      await asOwner(ds, `UPDATE audit_log SET id = $1 WHERE id = $2`, [a, b]);
      await asOwner(ds, `UPDATE audit_log SET id = $1 WHERE id = -1`, [b]);
    };
    await swap();
    try {
      const r = cli([]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`row ${a} does not follow row ${all[29]}`);
      expect(r.stderr).toContain("reordered");
    } finally {
      await swap();
    }
    await intact();
  }, CLI_TIMEOUT);

  it("a chain rewritten from a row on, every later hash recomputed: only a head recorded before (--anchor) shows it", async () => {
    const first = cli([]);
    expect(first.status, first.stderr).toBe(0);
    const anchor = /head (\d+:[0-9a-f]{64})/.exec(first.stdout)![1];
    expect(await verifyAuditChain(ds, parseAnchor(anchor))).toMatchObject({ intact: true });

    const from = (await ids())[15];
    await ds.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    try {
      // What an owner covering their tracks does: change a row, then re-chain it and everything after it.
      await ds.query(`UPDATE audit_log SET reason = 'covered up' WHERE id = $1`, [from]);
      await ds.query(`
        DO $$ DECLARE r audit_log; h bytea; BEGIN
          SELECT row_hash INTO h FROM audit_log WHERE id < ${from} ORDER BY id DESC LIMIT 1;
          FOR r IN SELECT * FROM audit_log WHERE id >= ${from} ORDER BY id LOOP
            UPDATE audit_log SET prev_hash = h, row_hash = audit_log_digest(h, r) WHERE id = r.id;
            h := audit_log_digest(h, r);
          END LOOP;
          UPDATE audit_log_chain SET last_hash = h;
        END $$`);
    } finally {
      await ds.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    }
    expect(await verifyAuditChain(ds)).toMatchObject({ intact: true }); // consistent again: the limit of a plain hash chain
    const r = cli(["--anchor", anchor]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`row ${anchor.split(":")[0]} no longer carries the hash recorded for it`);

    const bad = cli(["--anchor", "12:nothex"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--anchor");
  }, CLI_TIMEOUT);

  it("the newest rows deleted, or every row: the chain head tells", async () => {
    const all = await ids();
    const last = all.at(-1)!;
    await asOwner(ds, `DELETE FROM audit_log WHERE id = $1`, [last]);
    expect(await verifyAuditChain(ds)).toMatchObject({ intact: false, rowId: all.at(-2), problem: "tail_removed" });
    await asOwner(ds, `DELETE FROM audit_log`);
    const report = await verifyAuditChain(ds);
    expect(report).toMatchObject({ intact: false, rowId: null, problem: "tail_removed" });
    expect(report.intact || report.message).toContain(`the chain head is row ${last}`);
  });
});

/** The migration chains the rows written before it, in id order. */
describe("migration AuditLogHashChain", () => {
  let db: { url: string; drop(): Promise<void> };
  afterAll(() => db?.drop());

  it("chains existing rows; later inserts continue the chain", async () => {
    db = await createTestDatabase();
    const before = new DataSource({ type: "postgres", url: db.url, migrationsTableName: "migrations", migrations: migrations.filter((m) => m !== AuditLogHashChain1764910000001) });
    await before.initialize();
    await before.runMigrations({ transaction: "each" });
    for (let i = 0; i < 3; i++) await new AuditLog(before).record(entry(i));
    await before.destroy();

    const ds = createDataSource(db.url, 2);
    await ds.initialize();
    try {
      expect(await migrate(ds)).toEqual(["AuditLogHashChain1764910000001"]);
      await new AuditLog(ds).record(entry(3));
      expect(await verifyAuditChain(ds)).toMatchObject({ intact: true, rows: 4 });
      const rows = await ds.query(`SELECT a.id::text, prev_hash FROM audit_log a ORDER BY a.id`);
      expect(rows[0].prev_hash).toBeNull();
      expect(rows.slice(1).every((r: { prev_hash: Buffer | null }) => r.prev_hash instanceof Buffer)).toBe(true);
    } finally {
      await ds.destroy();
    }
  });
});

/** The SQL block under "A database role that can't rewrite the audit log" in docs/security.md, as an operator runs it. */
function documentedGrants(role: string, database: string): string {
  const text = readFileSync(resolve(__dirname, "../../docs/security.md"), "utf8");
  const m = /<!-- audit-role-grants -->\s*```sql\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error("docs/security.md has no audit-role-grants block");
  return m[1].replace(/\botpg_app\b/g, role).replace(/\botp_gateway\b/g, database);
}

describe("docs: a gateway role that cannot alter the audit log", () => {
  const role = `otpg_app_${randomBytes(4).toString("hex")}`;
  let owner: TestGateway;
  let limited: TestGateway | undefined;
  let admin: Client;

  beforeAll(async () => {
    owner = await startGateway(); // migrates the database as its owner
    admin = new Client({ connectionString: owner.env.DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await limited?.stop();
    // The role's grants in the database go first: the run drops the database itself only at its end.
    await admin?.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await admin?.end();
    await owner?.stop();
    const c = new Client({ connectionString: ADMIN_DATABASE_URL });
    await c.connect();
    await c.query(`DROP ROLE IF EXISTS ${role}`);
    await c.end();
  });

  it("the documented grants: the gateway runs, writes chained audit rows, and can neither change, delete, truncate nor unchain them", async () => {
    const database = new URL(owner.env.DATABASE_URL).pathname.slice(1);
    await admin.query(documentedGrants(role, database));
    const url = new URL(owner.env.DATABASE_URL);
    url.username = role;
    limited = await startGateway({ databaseUrl: url.toString() });
    const ds = limited.app.db.ds;
    const [{ current_user }] = await ds.query(`SELECT current_user`);
    expect(current_user).toBe(role);

    const log = new AuditLog(ds);
    await Promise.all(Array.from({ length: 5 }, (_, i) => ds.transaction((m) => log.record(entry(i), m))));
    expect((await log.list({}, 1, 10)).total).toBe(5);
    expect(await verifyAuditChain(ds)).toMatchObject({ intact: true, rows: 5 });

    for (const sql of [
      `UPDATE audit_log SET reason = 'x'`,
      `DELETE FROM audit_log`,
      `TRUNCATE audit_log`,
      `ALTER TABLE audit_log DISABLE TRIGGER USER`,
      `UPDATE audit_log_chain SET last_hash = NULL`,
      `DROP TRIGGER audit_log_chain ON audit_log`,
    ]) {
      await expect(ds.query(sql), sql).rejects.toThrow(/permission denied|must be owner/);
    }
    expect(await verifyAuditChain(ds)).toMatchObject({ intact: true, rows: 5 });
    // The gateway's own work under that role: an app and its key, which other tables hold.
    const app = await limited.createApp({ name: "Limited role" });
    expect(app.key).toMatch(/^otpk_/);
  }, CLI_TIMEOUT);
});
