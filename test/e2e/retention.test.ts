import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { createTestDatabase } from "../helpers/test-database";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { requestOtp, sleep, verifyOtp } from "../helpers/abuse";
import { createStaff } from "../helpers/admin";

/**
 * Bounded growth: the worker role deletes every row a verification leaves once it is older than
 * RETENTION_DAYS, in batches, and says so in its own metrics; the api role never does. Staff
 * enrolment links go a day after they can no longer be used.
 */
describe("retention: old rows are deleted by the worker role", () => {
  let db: { url: string; drop(): Promise<void> };
  const running: TestGateway[] = [];
  const env = { RETENTION_DAYS: "30", RETENTION_INTERVAL_SECONDS: "1", RETENTION_BATCH_SIZE: "2" };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const gw of running) await gw.stop();
    await db?.drop();
  });

  const start = async (role: "all" | "api" | "worker") => {
    const gw = await startGateway({ databaseUrl: db.url, role, env });
    running.push(gw);
    return gw;
  };
  const stop = async (gw: TestGateway) => {
    await gw.stop();
    running.splice(running.indexOf(gw), 1);
  };
  const TABLES = ["delivery_events", "delivery_attempts", "outbox_messages", "verify_attempts", "deliveries"];
  /** Rows per table belonging to these verifications (and the verifications themselves). */
  const rowsOf = async (gw: TestGateway, ids: string[]) => {
    const q = (sql: string) => gw.app.db.ds.query(sql, [ids]).then((r: Array<{ n: number }>) => r[0].n);
    const byDelivery = `delivery_id IN (SELECT id FROM deliveries WHERE verification_id = ANY($1::uuid[]))`;
    return {
      verifications: await q(`SELECT count(*)::int AS n FROM verifications WHERE id = ANY($1::uuid[])`),
      deliveries: await q(`SELECT count(*)::int AS n FROM deliveries WHERE verification_id = ANY($1::uuid[])`),
      delivery_events: await q(`SELECT count(*)::int AS n FROM delivery_events WHERE verification_id = ANY($1::uuid[])`),
      delivery_attempts: await q(`SELECT count(*)::int AS n FROM delivery_attempts WHERE ${byDelivery}`),
      outbox_messages: await q(`SELECT count(*)::int AS n FROM outbox_messages WHERE ${byDelivery}`),
      verify_attempts: await q(`SELECT count(*)::int AS n FROM verify_attempts WHERE verification_id = ANY($1::uuid[])`),
    };
  };
  /** Moves verifications (and every row of theirs) `days` into the past. */
  const age = async (gw: TestGateway, ids: string[], days: number) => {
    const ds = gw.app.db.ds;
    const back = `created_at - make_interval(days => ${days})`;
    await ds.query(`UPDATE verifications SET created_at = ${back} WHERE id = ANY($1::uuid[])`, [ids]);
    for (const t of TABLES) {
      const where = t === "delivery_attempts" || t === "outbox_messages" ? `delivery_id IN (SELECT id FROM deliveries WHERE verification_id = ANY($1::uuid[]))` : `verification_id = ANY($1::uuid[])`;
      await ds.query(`UPDATE ${t} SET created_at = ${back} WHERE ${where}`, [ids]);
    }
  };
  const metric = async (gw: TestGateway, line: RegExp) => Number(line.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1] ?? NaN);

  it("deletes verifications older than RETENTION_DAYS with their attempts, deliveries, events and outbox rows, in batches; keeps the rest", async () => {
    const gw = await start("all");
    const app = await gw.createApp({ name: "Retention" });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const to = `+1415555040${i}`;
      ids.push((await requestOtp(gw, app.key, to)).data.requestOtp.id);
      await codeFromOutbox(gw.logs, to); // delivered through the outbox: attempts, events and an outbox row exist
      await verifyOtp(gw, app.key, { verificationId: ids[i], code: "000000" });
    }
    const [old, young] = [ids.slice(0, 4), ids.slice(4)];
    const full = await rowsOf(gw, old);
    for (const t of ["delivery_events", "delivery_attempts", "outbox_messages", "verify_attempts", "deliveries"] as const) expect(full[t]).toBeGreaterThan(0);
    const webhookEvent = (await gw.app.db.ds.query(
      `INSERT INTO webhook_events (app_id, type, data, created_at) VALUES ($1, 'verification.pending', '{}', now() - interval '31 days') RETURNING id`, [app.id]))[0].id;
    // A code aimed at nothing, long ago (a verify attempt of no verification), and a recent one.
    const [oldMiss, newMiss] = await gw.app.db.ds.query(
      `INSERT INTO verify_attempts (app_id, client_ip, outcome, created_at) VALUES ($1, '192.0.2.9', 'NOT_FOUND', now() - interval '31 days'), ($1, '192.0.2.9', 'NOT_FOUND', now()) RETURNING id`, [app.id]);
    const before = await metric(gw, /otp_retention_deleted_rows_total\{table="verifications"\} (\d+)/);

    await age(gw, old, 31);
    await age(gw, young, 29); // inside the period: kept
    await eventually(async () => ((await rowsOf(gw, old)).verifications === 0 ? true : undefined), "the old verifications to be deleted", 10_000);
    expect(await rowsOf(gw, old)).toEqual({ verifications: 0, deliveries: 0, delivery_events: 0, delivery_attempts: 0, outbox_messages: 0, verify_attempts: 0 });
    expect((await rowsOf(gw, young)).verifications).toBe(1);
    expect((await rowsOf(gw, young)).delivery_events).toBeGreaterThan(0);
    expect(await gw.app.db.ds.query(`SELECT 1 FROM webhook_events WHERE id = $1`, [webhookEvent])).toEqual([]);
    expect((await gw.app.db.ds.query(`SELECT id FROM verify_attempts WHERE id = ANY($1::bigint[])`, [[oldMiss.id, newMiss.id]])).map((r: { id: string }) => r.id)).toEqual([newMiss.id]);

    // Its own metrics: rows per table (4 verifications, in batches of 2), and when it last ran.
    await eventually(async () => ((await metric(gw, /otp_retention_deleted_rows_total\{table="verifications"\} (\d+)/)) === (before || 0) + 4 ? true : undefined), "the metric");
    expect(await metric(gw, /otp_retention_deleted_rows_total\{table="delivery_events"\} (\d+)/)).toBeGreaterThanOrEqual(full.delivery_events);
    expect(await metric(gw, /^otp_retention_last_run_timestamp_seconds (\S+)$/m)).toBeGreaterThan(Date.now() / 1000 - 60);
    const logged = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "retention: old rows deleted" && l.deleted.verifications > 0);
    expect(logged).toMatchObject({ deleted: { verifications: 4 }, days: 30 });
    expect(logged.batches).toBeGreaterThanOrEqual(2); // batches of 2
    await stop(gw);
  });

  it("deletes staff enrolment links a day after they were used, replaced or expired, in batches, and counts them; keeps live and recent ones", async () => {
    const gw = await start("all");
    const staff = await createStaff(gw, "links@example.com", "ADMIN");
    const before = (await metric(gw, /otp_retention_deleted_rows_total\{table="admin_enrolment_links"\} (\d+)/)) || 0;
    const link = async (name: string, created: string, expires: string, used: string | null, revoked: string | null) => {
      const [row] = await gw.app.db.ds.query(
        `INSERT INTO admin_enrolment_links (user_id, token_hash, issued_by, created_at, expires_at, used_at, revoked_at)
         VALUES ($1, $2, 'cli:test', now() + $3::interval, now() + $4::interval, now() + $5::interval, now() + $6::interval) RETURNING id`,
        [staff.id, randomBytes(32), created, expires, used, revoked]);
      return [name, row.id as string] as const;
    };
    const links = Object.fromEntries([
      await link("usedLongAgo", "-3 days", "-2 days", "-2 days 23 hours", null),
      await link("replacedLongAgo", "-2 days", "-1 day", null, "-1 day 12 hours"),
      await link("expiredLongAgo", "-4 days", "-3 days", null, null),
      await link("expiredRecently", "-25 hours", "-1 hour", null, null), // still says "expired" to a late click
      await link("usedRecently", "-2 hours", "+22 hours", "-1 hour", null),
      await link("live", "-1 hour", "+23 hours", null, null),
    ]);
    const left = async () => (await gw.app.db.ds.query(`SELECT id FROM admin_enrolment_links WHERE user_id = $1`, [staff.id])).map((r: { id: string }) => r.id).sort();
    const kept = [links.expiredRecently, links.usedRecently, links.live].sort();
    await eventually(async () => (JSON.stringify(await left()) === JSON.stringify(kept) ? true : undefined), "the finished links to be deleted", 10_000);
    await eventually(async () => ((await metric(gw, /otp_retention_deleted_rows_total\{table="admin_enrolment_links"\} (\d+)/)) === before + 3 ? true : undefined), "the metric");
    const logged = gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "retention: old rows deleted");
    expect(logged.reduce((n, l) => n + (l.deleted.admin_enrolment_links ?? 0), 0)).toBe(3);
    await stop(gw);
  });

  it("runs in the worker role only: an api process leaves old rows alone", async () => {
    for (const gw of [...running]) await stop(gw); // nothing else may run it here
    const api = await start("api");
    const app = await api.createApp({ name: "Roles" });
    const id = (await requestOtp(api, app.key, "+14155550411")).data.requestOtp.id;
    await age(api, [id], 40);
    await sleep(2500); // more than two of the api process's would-be runs
    expect((await rowsOf(api, [id])).verifications).toBe(1);
    expect(await metric(api, /^otp_retention_last_run_timestamp_seconds (\S+)$/m)).toBe(0); // never ran here

    const worker = await start("worker");
    await eventually(async () => ((await rowsOf(api, [id])).verifications === 0 ? true : undefined), "the worker to delete the row", 10_000);
    expect((await rowsOf(api, [id])).deliveries).toBe(0);
    await stop(worker);
    await stop(api);
  });
});
