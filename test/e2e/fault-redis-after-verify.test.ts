import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import { createClient } from "redis";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { refusal, requestOtp, verifyOtp } from "../helpers/abuse";
import { ownRedis, type OwnServer } from "../helpers/own-servers";

/**
 * Redis dies in the instant after verifyOtp's consuming UPDATE — after the budgets were checked,
 * before they are charged or reset. The committed outcome is the answer: a right code is
 * APPROVED with its token (not INTERNAL_ERROR, then NOT_FOUND on retry), a wrong code is a
 * wrong code; and the limit writes are not lost — they land once Redis is back.
 *
 * The instant is made exact with a trigger the test installs in the gateway's own database:
 * the verify UPDATE waits on an advisory lock the test holds while it stops Redis.
 */
describe("fault: Redis fails after the consuming verify statement", () => {
  const LOCK = 4242;
  let redis: OwnServer;
  let gw: TestGateway;
  let holder: Client;

  beforeAll(async () => {
    redis = await ownRedis();
    gw = await startGateway({ env: { REDIS_URL: redis.url } });
    await gw.app.db.ds.query(`
      CREATE FUNCTION test_hold_verify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock_shared(${LOCK}); PERFORM pg_advisory_unlock_shared(${LOCK}); RETURN NEW; END $$`);
    await gw.app.db.ds.query(`
      CREATE TRIGGER test_hold_verify BEFORE UPDATE ON verifications FOR EACH ROW
      WHEN (NEW.status IS DISTINCT FROM OLD.status OR NEW.failed_attempts IS DISTINCT FROM OLD.failed_attempts)
      EXECUTE FUNCTION test_hold_verify()`);
    holder = new Client({ connectionString: gw.env.DATABASE_URL });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await gw?.stop();
    await redis?.dispose();
  });

  /** Runs `verify` with its UPDATE held, stops Redis while it waits, then lets it go; answers its response. */
  async function verifyWhileRedisDies<T>(verify: () => Promise<T>): Promise<T> {
    await holder.query(`SELECT pg_advisory_lock($1)`, [LOCK]);
    const pending = verify();
    try {
      await eventually(async () => {
        const [row] = (await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = current_database() AND query LIKE '%UPDATE verifications%'`)).rows;
        return row.n > 0 ? true : undefined;
      }, "the verify UPDATE waiting on the test's lock", 10_000);
      await redis.stop();
    } finally {
      await holder.query(`SELECT pg_advisory_unlock($1)`, [LOCK]);
    }
    return pending;
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return text.split("\n").filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
  }

  it("a right code is APPROVED with its token, and the approval reaches the pumping history once Redis is back", async () => {
    await redis.start(); // running, whatever an earlier test left
    const app = await gw.createApp({ name: "Approve while Redis dies" });
    const to = "+14155550871";
    const requested = await requestOtp(gw, app.key, to, { clientIp: "203.0.113.71" });
    const id = requested.data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, to);

    const r = await verifyWhileRedisDies(() => verifyOtp(gw, app.key, { verificationId: id, code, clientIp: "203.0.113.71" }));
    expect(r.errors).toBeUndefined();
    expect(r.data.verifyOtp.status).toBe("APPROVED");
    const token: string = r.data.verifyOtp.token;
    expect(token.split(".")).toHaveLength(3);
    const [claims] = [JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString())];
    expect(claims).toMatchObject({ sub: id, phone_number: to, phone_number_verified: true });

    // The writes after the statement wait for Redis, counted where operators look.
    expect(await metric("otp_limit_writes_pending")).toBeGreaterThan(0);
    // While Redis is down, a retry is refused before the statement (fail closed), never a second approval.
    expect(refusal(await verifyOtp(gw, app.key, { verificationId: id, code, clientIp: "203.0.113.71" })).code).toBe("RATE_LIMITED");

    await redis.start();
    await eventually(async () => ((await metric("otp_limit_writes_pending")) === 0 ? true : undefined), "the waiting limit writes made", 20_000);
    expect(await metric('otp_limit_writes_deferred_total{outcome="retried"}')).toBeGreaterThan(0);
    // Once it is back, a retry is what the contract says of a consumed code: NOT_FOUND.
    expect(refusal(await verifyOtp(gw, app.key, { verificationId: id, code, clientIp: "203.0.113.71" })).code).toBe("NOT_FOUND");
    // The approval counted as a verified send of the number's prefix, in the Redis that came back.
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const counts = await client.hGetAll(`${gw.env.REDIS_PREFIX}pump:prefix:${app.id}:${to.slice(0, -4)}:counts`);
      expect(Object.entries(counts).filter(([f]) => f.startsWith("v:")).map(([, n]) => Number(n))).toEqual([1]);
    } finally {
      await client.quit();
    }
    // The writes' log lines name rules, never the code (only the development outbox prints it).
    const limitLines = gw.logs.lines.filter((l) => l.includes('"component":"limit-writes"'));
    expect(limitLines.length).toBeGreaterThan(0);
    for (const l of limitLines) expect(l).not.toContain(code);
    for (const l of limitLines) expect(l).not.toContain(to.slice(2));
  }, 60_000);

  it("a wrong code answers PENDING, and its penalty is charged once Redis is back: the next try from that IP is refused", async () => {
    await redis.start(); // running, whatever an earlier test left
    // One failure per IP an hour: the penalty the outage interrupted is the one that spends it.
    const app = await gw.createApp({ name: "Wrong while Redis dies", maxAttempts: 5, settings: { limits: { verifyFailuresPerIp: { max: 1, windowSeconds: 3600 } } } as any });
    const to = "+14155550872";
    const ip = "203.0.113.72";
    const requested = await requestOtp(gw, app.key, to, { clientIp: "203.0.113.10" });
    const id = requested.data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, to);
    const wrong = code === "000000" ? "000001" : "000000";

    const r = await verifyWhileRedisDies(() => verifyOtp(gw, app.key, { verificationId: id, code: wrong, clientIp: ip }));
    expect(r.errors).toBeUndefined();
    expect(r.data.verifyOtp).toEqual({ status: "PENDING", attemptsRemaining: 4, token: null });

    await redis.start();
    await eventually(async () => ((await metric("otp_limit_writes_pending")) === 0 ? true : undefined), "the waiting penalties made", 20_000);
    // The restarted Redis is empty: only the retried penalty can have spent this IP's budget. (By destination:
    // a live verification's id is judged by its own attempt count alone, the contract's second round.)
    const next = refusal(await verifyOtp(gw, app.key, { destination: to, code: wrong, clientIp: ip }));
    expect(next.code).toBe("RATE_LIMITED");
    // The right code from another address still works: the outage cost the owner nothing.
    const ok = await verifyOtp(gw, app.key, { verificationId: id, code, clientIp: "203.0.113.10" });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  }, 60_000);
});
