import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { eventually } from "../helpers/codes";
import { ownPostgres, type OwnServer } from "../helpers/own-servers";
import { RequestLoad } from "../helpers/request-load";

/**
 * Postgres stops under load (fast shutdown: connections cut, transactions rolled back) and
 * starts again. Invariants: while it is down every request gets a clear answer — an
 * INTERNAL_SERVER_ERROR that quotes a request id and leaks no SQL or stack — rather than a
 * hang or a crash; readiness says why; the pool and the worker recover without a restart;
 * and every request that was answered with a verification id was stored and is sent.
 */
describe("fault: Postgres restarted under load", () => {
  let pg: OwnServer;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    pg = await ownPostgres();
    // A send whose outcome couldn't be recorded while Postgres was down stays claimed until its
    // lease lapses, then goes out again: a short lease keeps that inside the test's wait.
    gw = await startGateway({ databaseUrl: pg.url, env: { WORKER_LEASE_SECONDS: "5", PROVIDER_TIMEOUT_MS: "4000" } });
    app = await gw.createApp({ name: "Postgres fault", settings: { limits: { sendsPerCountry: { max: 100_000, windowSeconds: 3600 }, pumping: { prefix: null, country: null, unproven: null, app: null } } } as any });
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
    await pg?.dispose();
  }, 60_000);

  it("answers clearly while the database is down, recovers by itself, and loses no accepted request", async () => {
    const load = new RequestLoad(gw.url, app.key);
    try {
      await eventually(() => (load.accepted().length >= 10 ? true : undefined), "accepted requests before the fault", 15_000);
      await pg.stop();
      const downAt = Date.now();
      await eventually(() => (load.since(downAt).filter((o) => o.code === "INTERNAL_SERVER_ERROR").length >= 5 ? true : undefined), "errors while Postgres is down", 30_000);
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { database: "unreachable" } });
      const metrics = await fetch(`${gw.url}/metrics`);
      expect(metrics.status).toBe(200); // operators can still scrape while the database is away

      await pg.start();
      const upAt = Date.now();
      await eventually(() => (load.since(upAt).filter((o) => o.id).length >= 10 ? true : undefined), "accepted requests after Postgres returned", 30_000);
    } finally {
      await load.stop();
    }

    const failures = load.outcomes.filter((o) => !o.id);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.code).toBe("INTERNAL_SERVER_ERROR");
      expect(f.message).toBe("Internal server error");
      expect(f.extensions?.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(f)).not.toMatch(/ECONNREFUSED|terminat|postgres|at .*\.js/i);
    }

    // Every accepted request was stored, and the worker (LISTEN reconnected, polling meanwhile,
    // claims whose outcome was lost re-sent after their lease) sends it.
    const accepted = load.accepted().map((o) => o.id!);
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM verifications WHERE id = ANY($1)`, [accepted]);
      expect(rows[0].n).toBe(accepted.length);
      await eventually(async () => {
        // Handed off: SENT, or already DELIVERED by the outbox playing the phone.
        const r = await db.query(`SELECT count(*)::int AS n FROM deliveries WHERE verification_id = ANY($1) AND status IN ('SENT', 'DELIVERED')`, [accepted]);
        return r.rows[0].n === accepted.length ? true : undefined;
      }, "every accepted request sent", 30_000);
    } finally {
      await db.end();
    }
  }, 120_000);
});
