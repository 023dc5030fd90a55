import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { runCli } from "../helpers/cli";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { ended, serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { TwilioFake } from "../fakes/twilio-fake";

const ACCOUNT_SID = "AC00000000000000000000000000000006";
const AUTH_TOKEN = "twilio-test-auth-token-crash";
const OTP_SECRET = "test-secret-test-secret-test-secret-0123456789"; // startGateway's, so its API can verify
const N = 12;
/** Different area codes and client IPs, so that no abuse limit (per prefix, per IP) interferes. */
const AREAS = ["415", "212", "646", "312", "617", "206", "303", "512", "702", "213", "305", "404"];
const destinations = AREAS.slice(0, N).map((area, i) => `+1${area}55501${String(i).padStart(2, "0")}`);

/**
 * "Nothing lost": a gateway that accepted requests while Twilio was down is SIGKILLed mid-
 * retry; Twilio comes back; a fresh worker process finds every delivery in Postgres (queued
 * for a retry, or claimed by the dead process until its lease lapses) and sends each exactly
 * once — the dead process never got a message past the vendor, so no duplicate is allowed.
 */
describe("SIGKILL during a vendor outage", () => {
  let db: { url: string; drop(): Promise<void> };
  let twilio: TwilioFake;
  let env: Record<string, string>;
  let first: ServeProcess | undefined;
  let worker: ServeProcess | undefined;
  let verifier: TestGateway | undefined;
  let key: string;

  beforeAll(async () => {
    [db, twilio] = await Promise.all([createTestDatabase(), TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN })]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`, OTP_SECRET,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
      // A short lease (so claims of the dead process return soon) and fast retries.
      WORKER_LEASE_SECONDS: "5", PROVIDER_TIMEOUT_MS: "4000", DELIVERY_RETRY_BASE_MS: "100", DELIVERY_RETRY_MAX_MS: "1000", CIRCUIT_HALF_OPEN_AFTER_MS: "200",
    };
    expect(runCli(["migrate"], env).status).toBe(0);
    const created = runCli(["app", "create", "--name", "Crash App", "--max-sends", "10", "--json"], env);
    expect(created.status).toBe(0);
    key = JSON.parse(created.stdout).apiKey;
  }, 60_000);

  afterAll(async () => {
    if (first) {
      await ended(first.child, () => first!.child.kill("SIGKILL"));
      await first.stop(); // removes its data directory
    }
    await worker?.stop();
    await verifier?.stop();
    await twilio?.stop();
    await db?.drop();
  }, 60_000);

  it("every accepted request is sent exactly once after the restart, and every code verifies", async () => {
    twilio.setOutage(true);
    first = await serveProcess("all", env);

    const accepted = new Map<string, string>(); // destination → verification id
    for (const [i, destination] of destinations.entries()) {
      const r = await gql(first.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp: `203.0.113.${i + 1}` } });
      expect(r.errors).toBeUndefined();
      expect(r.data.requestOtp.status).toBe("PENDING");
      accepted.set(destination, r.data.requestOtp.id);
    }
    // Every delivery has been tried and refused at least once: the process is mid-retry.
    await eventually(async () => {
      const [{ n }] = await query(`SELECT count(DISTINCT delivery_id)::int AS n FROM delivery_attempts WHERE outcome <> 'SENT'`);
      return n === N ? true : undefined;
    }, "a refused attempt for every delivery", 30_000);
    expect(twilio.messages).toEqual([]);

    await ended(first.child, () => first!.child.kill("SIGKILL"));
    expect(first.child.signalCode).toBe("SIGKILL");
    const [{ open }] = await query(`SELECT count(*)::int AS open FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`);
    expect(open).toBe(N); // nothing was lost, nothing was given up

    twilio.setOutage(false);
    // No API runs to take Twilio's callbacks here: the deliveries stay SENT, which is what this test counts.
    worker = await serveProcess("worker", { ...env, PUBLIC_URL: "http://127.0.0.1:9" });
    await eventually(() => (destinations.every((d) => twilio.messages.some((m) => m.to === d)) ? true : undefined), "a message to every destination", 45_000);
    // Settled: no delivery left to send, so the counts below are final.
    await eventually(async () => {
      const [{ n }] = await query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`);
      return n === 0 ? true : undefined;
    }, "every delivery settled", 30_000);

    const perDestination = Object.fromEntries(destinations.map((d) => [d, twilio.messages.filter((m) => m.to === d).length]));
    expect(perDestination).toEqual(Object.fromEntries(destinations.map((d) => [d, 1])));
    const sentBy = await query(`SELECT DISTINCT a.provider, d.status FROM deliveries d JOIN delivery_attempts a ON a.delivery_id = d.id AND a.outcome = 'SENT'`);
    expect(sentBy).toEqual([{ provider: "twilio", status: "SENT" }]);

    // Every code the "phones" received verifies (API in this process, same database and secret).
    verifier = await startGateway({ role: "api", databaseUrl: db.url, env: { REDIS_PREFIX: env.REDIS_PREFIX } });
    for (const [destination, id] of accepted) {
      const sms = twilio.messages.find((m) => m.to === destination)!;
      const ok = await gql(verifier.url, key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } });
      expect(ok.data.verifyOtp.status, destination).toBe("APPROVED");
    }
  }, 180_000);

  async function query(sql: string): Promise<any[]> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  }
});
