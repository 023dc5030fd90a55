import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { runCli } from "../helpers/cli";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { ended, serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { TwilioFake } from "../fakes/twilio-fake";
import { randomIp, randomUsNumber } from "../bench/numbers";

const ACCOUNT_SID = "AC0000000000000000000000000crash2";
const AUTH_TOKEN = "twilio-test-auth-token-send-points";
const OTP_SECRET = "test-secret-test-secret-test-secret-0123456789"; // startGateway's, so its API can verify
/** Advisory locks the test holds to stop a worker's claim statement, or its SENT record. */
const CLAIM_LOCK = 4343;
const SENT_LOCK = 4344;

/**
 * "No doubled send after a crash", bounded: a worker process is SIGKILLed with a send held at
 * each point of its path — its claim statement, the vendor call before the vendor took the
 * message, the vendor's answer after it took it, the statement recording SENT — and a new
 * worker takes over. Every accepted code reaches the vendor at least once and at most twice,
 * always the same code; a second copy only for a send in flight at the kill (and none when the
 * vendor never took the first); the sends the dead worker had finished are never repeated.
 *
 * The points are held without test branches in the product: by the Twilio stand-in (hang,
 * holdAnswers) and by a trigger the test installs in the gateway's own database, which makes
 * the statement wait on an advisory lock the test holds (as fault-redis-after-verify does).
 * The database notices the dead worker's connection (client_connection_check_interval) and
 * rolls its held statement back, as it would when a worker host dies mid-statement.
 */
describe("SIGKILL of a worker at each point of a send", () => {
  let db: { url: string; drop(): Promise<void> };
  let twilio: TwilioFake;
  let env: Record<string, string>;
  let api: TestGateway;
  let holder: Client;
  let key: string;
  const procs: ServeProcess[] = [];

  beforeAll(async () => {
    [db, twilio] = await Promise.all([createTestDatabase(), TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN })]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`, OTP_SECRET,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
      // A short lease, so the dead worker's claims come back soon; a vendor timeout inside it.
      WORKER_LEASE_SECONDS: "5", PROVIDER_TIMEOUT_MS: "4000",
      // No API runs on the workers' address: Twilio's status callbacks go nowhere, deliveries stay SENT.
      PUBLIC_URL: "http://127.0.0.1:9",
    };
    expect(runCli(["migrate"], env).status).toBe(0);
    const created = runCli(["app", "create", "--name", "Send points", "--max-sends", "10", "--json"], env);
    expect(created.status).toBe(0);
    key = JSON.parse(created.stdout).apiKey;

    holder = new Client({ connectionString: db.url });
    await holder.connect();
    // Connections opened from now on (the workers') are checked for a dead client every 100 ms.
    const name = new URL(db.url).pathname.slice(1);
    await holder.query(`ALTER DATABASE ${name} SET client_connection_check_interval = '100ms'`);
    await holder.query(`
      CREATE FUNCTION test_hold_send() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_advisory_lock_shared(TG_ARGV[0]::bigint); PERFORM pg_advisory_unlock_shared(TG_ARGV[0]::bigint); RETURN NEW; END $$`);
    // The claim (QUEUED → SENDING) and the SENT record (SENDING → SENT) each wait while the test holds their lock.
    await holder.query(`
      CREATE TRIGGER test_hold_claim BEFORE UPDATE ON deliveries FOR EACH ROW
      WHEN (OLD.status = 'QUEUED' AND NEW.status = 'SENDING') EXECUTE FUNCTION test_hold_send(${CLAIM_LOCK})`);
    await holder.query(`
      CREATE TRIGGER test_hold_sent BEFORE UPDATE ON deliveries FOR EACH ROW
      WHEN (OLD.status = 'SENDING' AND NEW.status = 'SENT') EXECUTE FUNCTION test_hold_send(${SENT_LOCK})`);
    api = await startGateway({ role: "api", databaseUrl: db.url, env: { REDIS_PREFIX: env.REDIS_PREFIX } });
  }, 90_000);

  // A test that failed half-way leaves no hold behind for the next one, nor a worker running.
  afterEach(async () => {
    await holder.query(`SELECT pg_advisory_unlock_all()`);
    twilio.hang(false);
    twilio.holdAnswers(false);
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
    }
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) await p.stop();
    }
    await api?.stop();
    await holder?.end();
    await twilio?.stop();
    await db?.drop();
  }, 60_000);

  /** Requests codes for `n` fresh numbers (fresh client IPs: no abuse limit interferes); answers destination → verification id. */
  async function requestCodes(n: number): Promise<Map<string, string>> {
    const accepted = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const destination = randomUsNumber();
      const r = await gql(api.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp: randomIp() } });
      expect(r.errors).toBeUndefined();
      accepted.set(destination, r.data.requestOtp.id);
    }
    return accepted;
  }

  const statuses = async (ids: string[]): Promise<string[]> =>
    (await holder.query(`SELECT status FROM deliveries WHERE verification_id = ANY($1)`, [ids])).rows.map((r) => r.status);
  // Bounds are generous: the suites share two cores, and each wait here spans process starts and a lease.
  // An array, not an iterator: every poll must see every id (an empty list would count as settled).
  const settled = (ids: string[], what: string, timeoutMs = 60_000) =>
    eventually(async () => {
      const rows = await statuses(ids);
      return rows.length === ids.length && rows.every((s) => s !== "QUEUED" && s !== "SENDING") ? true : undefined;
    }, what, timeoutMs);
  /** Backends waiting on the test's lock inside an UPDATE of deliveries. */
  const heldStatements = async (): Promise<number> =>
    (await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND query LIKE '%UPDATE deliveries%'`)).rows[0].n;

  /**
   * One crash: a worker sends `done` codes to the end, then takes `inFlight` more that `hold`
   * stops at one point; it is SIGKILLed there, `release` undoes the hold, and a new worker
   * takes over. Answers how many messages the vendor got per destination, for both groups.
   */
  async function crashAt(hold: () => Promise<void>, heldAtPoint: () => Promise<boolean>, release: () => Promise<void>) {
    const doomed = await serveProcess("worker", env);
    procs.push(doomed);
    const done = await requestCodes(2);
    await settled([...done.values()], "the first codes sent");

    await hold();
    const inFlight = await requestCodes(2);
    await eventually(async () => ((await heldAtPoint()) ? true : undefined), "a send held at the point", 60_000);
    await ended(doomed.child, () => doomed.child.kill("SIGKILL"));
    expect(doomed.child.signalCode).toBe("SIGKILL");
    await release();

    const successor = await serveProcess("worker", env);
    procs.push(successor);
    await settled([...done.values(), ...inFlight.values()], "every delivery settled after the restart");
    // Settled, and no send still open at the vendor: the counts below are final.
    await successor.stop();
    const count = (group: Map<string, string>) => Object.fromEntries([...group.keys()].map((d) => [d, twilio.messages.filter((m) => m.to === d).length]));
    await expectEveryCodeVerifies(new Map([...done, ...inFlight]));
    return { done: count(done), inFlight: count(inFlight), doneExpected: Object.fromEntries([...done.keys()].map((d) => [d, 1])) };
  }

  /** Each number got one code however often it was sent, and that code verifies. */
  async function expectEveryCodeVerifies(accepted: Map<string, string>): Promise<void> {
    for (const [destination, id] of accepted) {
      const codes = twilio.messages.filter((m) => m.to === destination).map((m) => extractCode(m.body!));
      expect(codes.length, destination).toBeGreaterThanOrEqual(1);
      expect(new Set(codes).size, `${destination}: one code however often sent`).toBe(1);
      const ok = await gql(api.url, key, VERIFY_OTP, { input: { verificationId: id, code: codes[0] } });
      expect(ok.data.verifyOtp.status, destination).toBe("APPROVED");
    }
  }

  /** Holds one of the test's locks; the release first waits for the dead worker's held statements to be rolled back. */
  const lock = (id: number) => async () => void (await holder.query(`SELECT pg_advisory_lock($1)`, [id]));
  const unlockAfterTheDeadWorkersStatements = (id: number) => async () => {
    await eventually(async () => ((await heldStatements()) === 0 ? true : undefined), "the dead worker's statements rolled back", 60_000);
    await holder.query(`SELECT pg_advisory_unlock($1)`, [id]);
  };

  it("killed in its claim statement (before the vendor call): each code sent exactly once", async () => {
    const r = await crashAt(lock(CLAIM_LOCK), async () => (await heldStatements()) > 0, unlockAfterTheDeadWorkersStatements(CLAIM_LOCK));
    expect(r.done).toEqual(r.doneExpected);
    expect(Object.values(r.inFlight)).toEqual([1, 1]);
  }, 240_000);

  it("killed while the vendor call waits, before the vendor took the message: each code sent exactly once", async () => {
    twilio.clear();
    const r = await crashAt(async () => twilio.hang(true), async () => twilio.hung > 0, async () => twilio.hang(false));
    expect(r.done).toEqual(r.doneExpected);
    // The vendor never took the first attempt: a second copy here would be a duplicate no crash explains.
    expect(Object.values(r.inFlight)).toEqual([1, 1]);
  }, 240_000);

  it("killed after the vendor took the message, before its answer arrived: at most one more copy, only of that message", async () => {
    twilio.clear();
    const r = await crashAt(async () => twilio.holdAnswers(true), async () => twilio.held > 0, async () => twilio.holdAnswers(false));
    expect(r.done).toEqual(r.doneExpected);
    for (const n of Object.values(r.inFlight)) expect(n).toBeGreaterThanOrEqual(1);
    for (const n of Object.values(r.inFlight)) expect(n).toBeLessThanOrEqual(2);
    // The held one was in flight, so the new worker (which cannot know the vendor has it) sent it again.
    expect(Object.values(r.inFlight)).toContain(2);
  }, 240_000);

  it("killed while recording SENT, after the vendor answered: at most one more copy, only of that message", async () => {
    twilio.clear();
    const r = await crashAt(lock(SENT_LOCK), async () => (await heldStatements()) > 0, unlockAfterTheDeadWorkersStatements(SENT_LOCK));
    expect(r.done).toEqual(r.doneExpected);
    for (const n of Object.values(r.inFlight)) expect(n).toBeGreaterThanOrEqual(1);
    for (const n of Object.values(r.inFlight)) expect(n).toBeLessThanOrEqual(2);
    // Its SENT record was rolled back with the dead connection: the new worker sent it again.
    expect(Object.values(r.inFlight)).toContain(2);
  }, 240_000);
});
