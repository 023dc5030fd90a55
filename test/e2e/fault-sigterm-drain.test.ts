import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { runCli } from "../helpers/cli";
import { eventually } from "../helpers/codes";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { ended, serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { randomIp, randomUsNumber } from "../bench/numbers";
import { VendorStandIn } from "../bench/vendor-stand-in";

const ACCOUNT_SID = "AC00000000000000000000000000fault2";
const AUTH_TOKEN = "fault-auth-token-sigterm";

/**
 * SIGTERM while a send is in flight to a slow vendor. Invariant: the process stops taking
 * new work, lets the in-flight send finish, records it (delivery SENT, its attempt stored),
 * and only then exits, with status 0 — no message is left half-done for a lease to recover.
 */
describe("fault: SIGTERM drains in-flight work", () => {
  let db: { url: string; drop(): Promise<void> };
  let vendor: VendorStandIn;
  let env: Record<string, string>;
  let key: string;
  let gw: ServeProcess | undefined;

  beforeAll(async () => {
    [db, vendor] = await Promise.all([createTestDatabase(), VendorStandIn.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, delayMs: 2000 })]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`,
      OTP_SECRET: "test-secret-test-secret-test-secret-0123456789",
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: vendor.url,
      SHUTDOWN_GRACE_MS: "20000",
    };
    const migrated = runCli(["migrate"], env);
    expect(migrated.status, migrated.stderr).toBe(0);
    const created = runCli(["app", "create", "--name", "Sigterm", "--json"], env);
    expect(created.status).toBe(0);
    key = JSON.parse(created.stdout).apiKey;
  }, 60_000);

  afterAll(async () => {
    if (gw) await ended(gw.child, () => gw!.child.kill("SIGKILL"));
    await vendor?.stop();
    await db?.drop();
  }, 60_000);

  it("finishes and records the in-flight send before exiting 0", async () => {
    gw = await serveProcess("all", env);
    const destination = randomUsNumber();
    const r = await gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp: randomIp() } });
    expect(r.errors).toBeUndefined();
    await eventually(() => (vendor.inFlight === 1 ? true : undefined), "the send to be in flight", 10_000);

    const code = await ended(gw.child, () => gw!.child.kill("SIGTERM"));
    expect(code).toBe(0);
    expect(vendor.inFlight).toBe(0);
    expect(vendor.codesFor(destination)).toHaveLength(1);

    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT d.status, d.attempts, (SELECT count(*)::int FROM delivery_attempts a WHERE a.delivery_id = d.id AND a.outcome = 'SENT') AS sent_attempts
           FROM deliveries d WHERE d.verification_id = $1`,
        [r.data.requestOtp.id],
      );
      expect(rows).toEqual([{ status: "SENT", attempts: 1, sent_attempts: 1 }]);
    } finally {
      await c.end();
    }
    expect(gw.output()).toMatch(/"msg":"stopped"/);
  }, 60_000);
});
