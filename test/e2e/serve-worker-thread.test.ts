import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { runCli } from "../helpers/cli";
import { eventually } from "../helpers/codes";
import { gql, REQUEST_OTP, VERIFY_OTP } from "../helpers/graphql-client";
import { serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { randomIp, randomUsNumber } from "../bench/numbers";
import { VendorStandIn } from "../bench/vendor-stand-in";
import { AdminClient, PROVIDERS, STAFF_PASSWORD } from "../helpers/admin";

const ACCOUNT_SID = "AC0000000000000000000000000thread1";
const AUTH_TOKEN = "worker-thread-auth-token";

/**
 * `otp-gateway serve` with Redis: one process, the API on the main thread and the delivery
 * worker on a supervised worker thread. What a user sees is unchanged — a code is delivered
 * and verifies, delivery metrics appear on the one /metrics, SIGTERM drains — and the log
 * says where the worker runs. WORKER_THREAD=inline keeps the old single event loop.
 */
describe("serve: the worker on its own thread", () => {
  let db: { url: string; drop(): Promise<void> };
  let vendor: VendorStandIn;
  let env: Record<string, string>;
  let key: string;
  const started: ServeProcess[] = [];

  beforeAll(async () => {
    [db, vendor] = await Promise.all([createTestDatabase(), VendorStandIn.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN })]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`,
      OTP_SECRET: "test-secret-test-secret-test-secret-0123456789",
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: vendor.url,
    };
    const created = runCli(["app", "create", "--name", "Thread", "--json"], env);
    expect(created.status, created.stderr).toBe(0);
    key = JSON.parse(created.stdout).apiKey;
  }, 60_000);

  afterAll(async () => {
    for (const s of started) await s.stop().catch(() => undefined);
    await vendor?.stop();
    await db?.drop();
  }, 60_000);

  async function sendAndVerify(gw: ServeProcess): Promise<void> {
    const destination = randomUsNumber();
    const r = await gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", clientIp: randomIp() } });
    expect(r.errors).toBeUndefined();
    const code = await eventually(() => vendor.codesFor(destination)[0], "the code at the vendor", 15_000);
    const v = await gql(gw.url, key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } });
    expect(v.data.verifyOtp.status).toBe("APPROVED");
  }

  it("delivers from a worker thread of the same process, reports it on /readyz and /metrics, and drains on SIGTERM", async () => {
    const gw = await serveProcess("all", env);
    started.push(gw);
    await sendAndVerify(gw);
    const lines = gw.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "otp-gateway listening")).toMatchObject({ role: "all", workerThread: true });
    expect(lines.find((l) => l.msg === "otp-gateway worker thread started")).toMatchObject({ role: "worker" });

    expect(await (await fetch(`${gw.url}/healthz`)).json()).toMatchObject({ status: "ok", role: "all" });
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: "ok", redis: "ok", worker: "ok" } });

    // The thread's counters and the main thread's in one exposition, each family once.
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/otp_delivery_attempts_total\{provider="twilio",channel="SMS",country="US",outcome="SENT"\} 1\b/);
    expect(text).toMatch(/otp_operations_total\{operation="requestOtp",outcome="ok"\} 1\b/);
    expect(text.match(/^# TYPE otp_delivery_queue_depth /gm)).toHaveLength(1);
    expect(text.match(/^# TYPE otp_process_resident_memory_bytes /gm)).toHaveLength(1);
    expect(text).toMatch(/otp_delivery_queue_depth\{measure="depth"\} 0\b/);

    const code = await gw.stop();
    started.pop();
    expect(code).toBe(0);
    const out = gw.output();
    expect(out).toContain('"msg":"stopped"');
    // The thread stopped before the process's last line (the drain ran, then the database closed).
    expect(out.indexOf("worker thread started")).toBeLessThan(out.lastIndexOf('"msg":"stopped"'));
  }, 60_000);

  it("the dashboard's providers page shows the worker thread's circuit breaker, not the API thread's idle one", async () => {
    const gw = await serveProcess("all", { ...env, CIRCUIT_CONSECUTIVE_FAILURES: "2", DELIVERY_RETRY_BASE_MS: "50", DELIVERY_RETRY_MAX_MS: "100" });
    started.push(gw);
    const made = runCli(["admin", "create", "--email", "support@example.com", "--role", "SUPPORT", "--password-stdin"], env, undefined, STAFF_PASSWORD + "\n");
    expect(made.status, made.stderr).toBe(0);
    const support = await AdminClient.signedIn(gw.url, "support@example.com");
    const twilioSms = async () => (await support.gql(PROVIDERS)).data.providers.data.find((p: any) => p.id === "twilio:SMS");
    await eventually(async () => ((await twilioSms())?.breakerState === "closed" ? true : undefined), "the thread's first report", 10_000);

    vendor.down = true;
    try {
      const r = await gql(gw.url, key, REQUEST_OTP, { input: { destination: randomUsNumber(), channel: "SMS", clientIp: randomIp() } });
      expect(r.errors).toBeUndefined();
      await eventually(async () => ((await twilioSms())?.breakerState === "open" ? true : undefined), "the open breaker on the providers page", 15_000);
    } finally {
      vendor.down = false;
    }
  }, 60_000);

  it("WORKER_THREAD=inline keeps the worker on the API's event loop; WORKER_THREAD=thread without Redis is refused", async () => {
    const gw = await serveProcess("all", { ...env, WORKER_THREAD: "inline" });
    started.push(gw);
    await sendAndVerify(gw);
    const listening = gw.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((l) => l.msg === "otp-gateway listening");
    expect(listening).toMatchObject({ role: "all", workerThread: false });
    expect((await (await fetch(`${gw.url}/readyz`)).json()).checks.worker).toBeUndefined();

    const { REDIS_URL: _none, ...noRedis } = env;
    const refused = runCli(["serve"], { ...noRedis, WORKER_THREAD: "thread", PORT: "0" });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("WORKER_THREAD=thread needs REDIS_URL");
  }, 60_000);
});
