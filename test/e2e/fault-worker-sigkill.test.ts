import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { runCli } from "../helpers/cli";
import { eventually } from "../helpers/codes";
import { REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { ended, serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { randomIp, randomUsNumber } from "../bench/numbers";
import { VendorStandIn } from "../bench/vendor-stand-in";

const ACCOUNT_SID = "AC00000000000000000000000000fault1";
const AUTH_TOKEN = "fault-auth-token-sigkill";
const N = 8;

/**
 * A worker process is SIGKILLed while it holds claims and the vendor is still answering its
 * sends. Invariants: a claim whose process died goes back to the queue when its lease lapses
 * and another worker sends it — nothing is lost; a message the dead worker had already
 * handed over may arrive twice (at-least-once), but with the same code; and each
 * verification is approved exactly once, however many times its code is tried at once.
 */
describe("fault: SIGKILL of a worker mid-dispatch", () => {
  let db: { url: string; drop(): Promise<void> };
  let vendor: VendorStandIn;
  let env: Record<string, string>;
  let key: string;
  const procs: ServeProcess[] = [];

  beforeAll(async () => {
    [db, vendor] = await Promise.all([createTestDatabase(), VendorStandIn.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, delayMs: 1500 })]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`,
      OTP_SECRET: "test-secret-test-secret-test-secret-0123456789",
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: vendor.url,
      WORKER_LEASE_SECONDS: "5", PROVIDER_TIMEOUT_MS: "4000",
    };
    expect(runCli(["migrate"], env).status).toBe(0);
    const created = runCli(["app", "create", "--name", "Sigkill", "--json"], env);
    expect(created.status).toBe(0);
    key = JSON.parse(created.stdout).apiKey;
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await vendor?.stop();
    await db?.drop();
  }, 60_000);

  it("returns a dead worker's claims after their lease: every verification is sent and approved exactly once", async () => {
    const api = await serveProcess("api", env);
    procs.push(api);
    const doomed = await serveProcess("worker", env);
    const accepted: Array<{ id: string; destination: string }> = [];
    for (let i = 0; i < N; i++) {
      const destination = randomUsNumber();
      const r = await gql(api.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp: randomIp() } });
      expect(r.errors).toBeUndefined();
      accepted.push({ id: r.data.requestOtp.id, destination });
    }
    const claimedByDoomed = await eventually(async () => {
      const rows = await query(`SELECT id FROM deliveries WHERE status = 'SENDING' AND leased_by LIKE $1`, [`%:${doomed.child.pid}:%`]);
      return rows.length > 0 && vendor.inFlight > 0 ? rows.map((r) => r.id as string) : undefined;
    }, "the worker to be mid-dispatch", 15_000);

    await ended(doomed.child, () => doomed.child.kill("SIGKILL"));
    expect(doomed.child.signalCode).toBe("SIGKILL");
    procs.push(await serveProcess("worker", env));

    // Nothing lost: every delivery ends SENT, the dead worker's claims on their second claim.
    await eventually(async () => {
      const [{ open }] = await query(`SELECT count(*)::int AS open FROM deliveries WHERE status <> 'SENT'`);
      return open === 0 ? true : undefined;
    }, "every delivery sent", 45_000);
    const reclaimed = await query(`SELECT id, attempts FROM deliveries WHERE id = ANY($1)`, [claimedByDoomed]);
    for (const r of reclaimed) expect(r.attempts).toBe(2);
    await eventually(() => (vendor.inFlight === 0 ? true : undefined), "the vendor to finish answering");

    for (const { id, destination } of accepted) {
      const codes = vendor.codesFor(destination);
      expect(codes.length, destination).toBeGreaterThanOrEqual(1);
      expect(new Set(codes).size, `${destination} got one code however often it was sent`).toBe(1);
      // Three tries of the right code at once: one approval, the others find it consumed.
      const answers = await Promise.all([0, 1, 2].map(() => gql(api.url, key, VERIFY_OTP, { input: { verificationId: id, code: codes[0] } })));
      expect(answers.filter((a) => a.data?.verifyOtp?.status === "APPROVED")).toHaveLength(1);
      expect(answers.filter((a) => errorCode(a) === "NOT_FOUND")).toHaveLength(2);
    }
    const [{ approvals }] = await query(`SELECT count(*)::int AS approvals FROM verify_attempts WHERE outcome = 'APPROVED'`);
    expect(approvals).toBe(N);
  }, 120_000);

  async function query(sql: string, params: unknown[] = []): Promise<any[]> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  }
});
