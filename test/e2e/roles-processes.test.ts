import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "pg";
import WebSocket from "ws";
import { NOTIFY_CHANNEL } from "../../server/src/verification/sql";
import { runCli } from "../helpers/cli";
import { eventually, extractCode } from "../helpers/codes";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { serveProcess, type ServeProcess } from "../helpers/processes";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { DELIVERY_STATUS, collect, statusesOf, wsClient } from "../helpers/ws-client";
import { TwilioFake } from "../fakes/twilio-fake";

const ACCOUNT_SID = "AC00000000000000000000000000000005";
const AUTH_TOKEN = "twilio-test-auth-token-roles";

/**
 * Scaling out as the README describes: two `serve --role api` processes and one
 * `serve --role worker` process over one Postgres database and one Redis prefix. A client
 * subscribed on API #1 follows a verification requested through API #2, sent by the worker and
 * reported DELIVERED by Twilio's callback to API #2: every event crosses processes via Redis.
 */
describe("roles across processes", () => {
  let db: { url: string; drop(): Promise<void> };
  let twilio: TwilioFake;
  let env: Record<string, string>;
  let api1: ServeProcess;
  let api2: ServeProcess;
  let worker: ServeProcess | undefined;
  let key: string;
  const clients: Array<ReturnType<typeof wsClient>> = [];

  beforeAll(async () => {
    [db, twilio] = await Promise.all([createTestDatabase(), TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN })]);
    env = {
      DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:`,
      OTP_SECRET: "roles-test-secret-roles-test-secret-0123456789",
      TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
    };
    expect(runCli(["migrate"], env).status).toBe(0);
    const created = runCli(["app", "create", "--name", "Roles App", "--json"], env);
    expect(created.status).toBe(0);
    key = JSON.parse(created.stdout).apiKey;
    [api1, api2] = await Promise.all([serveProcess("api", env), serveProcess("api", env)]);
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.dispose();
    const codes = await Promise.all([api1, api2, worker].filter(Boolean).map((p) => p!.stop()));
    await twilio?.stop();
    await db?.drop();
    // Every role stops cleanly on SIGTERM.
    expect(codes.every((c) => c === 0)).toBe(true);
  }, 60_000);

  it("API #1's subscriber sees QUEUED, then SENDING and SENT from the worker, then DELIVERED from API #2's webhook", async () => {
    // Requested through API #2 while no worker runs: the delivery waits, QUEUED.
    const r = await gql(api2.url, key, REQUEST_OTP, { input: { destination: "+14155550801", channel: "SMS" } });
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    const ws = wsClient(api1.url, key);
    clients.push(ws);
    const sub = collect(ws, DELIVERY_STATUS, { id: v.id });
    await eventually(() => (statusesOf(sub).length ? true : undefined), "the snapshot on API #1");
    expect(statusesOf(sub)).toEqual(["QUEUED"]);

    // The worker process (its PUBLIC_URL is API #2's, where Twilio calls back).
    // Its safety-net poll is a minute: any later send it makes in time was woken by the API's QUEUED event.
    worker = await serveProcess("worker", { ...env, PUBLIC_URL: api2.url, WORKER_POLL_MS: "60000" });
    await eventually(() => (statusesOf(sub).includes("DELIVERED") ? true : undefined), "DELIVERED on API #1", 20_000);
    expect(statusesOf(sub)).toEqual(["QUEUED", "SENDING", "SENT", "DELIVERED"]);
    const callback = await twilio.waitForCallback((c) => c.params.MessageStatus === "delivered" && c.params.To === "+14155550801");
    expect(callback.url).toBe(`${api2.url}/webhooks/twilio/status`);
    expect(Math.floor(callback.status / 100)).toBe(2);

    // The code the "phone" got verifies through API #1: one database, one OTP_SECRET.
    const sms = await twilio.waitForMessage((m) => m.to === "+14155550801");
    const ok = await gql(api1.url, key, VERIFY_OTP, { input: { verificationId: v.id, code: extractCode(sms.body!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  }, 60_000);

  it("every role serves /healthz and /metrics; only api serves /graphql", async () => {
    expect(worker).toBeDefined();
    for (const p of [api1, api2, worker!]) {
      const health = await fetch(`${p.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", role: p.role });
      const ready = await fetch(`${p.url}/readyz`);
      expect(ready.status).toBe(200);
      const metrics = await fetch(`${p.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain("# TYPE otp_delivery_attempts_total counter");
    }
    // The worker did the sending, so its counter is the one that moved.
    expect(await (await fetch(`${worker!.url}/metrics`)).text()).toMatch(/otp_delivery_attempts_total\{[^}]*provider="twilio"[^}]*outcome="SENT"[^}]*\} 1/);

    const post = (url: string) => fetch(`${url}/graphql`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect((await post(api1.url)).status).toBe(200);
    expect((await post(api2.url)).status).toBe(200);
    expect((await post(worker!.url)).status).toBe(404);
    // No WebSocket endpoint on the worker either.
    const refused = await new Promise<string>((resolve) => {
      const s = new WebSocket(`${worker!.url.replace("http", "ws")}/graphql`, "graphql-transport-ws");
      s.on("open", () => resolve("open"));
      s.on("unexpected-response", (_req, res) => resolve(`http ${res.statusCode}`));
      s.on("error", () => resolve("error"));
    });
    expect(refused).not.toBe("open");
  }, 30_000);

  it("with Redis, a worker in another process is woken by the QUEUED event, and no request sends a NOTIFY", async () => {
    expect(worker).toBeDefined();
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    const notified: string[] = [];
    listener.on("notification", (n) => notified.push(n.channel));
    await listener.query(`LISTEN ${NOTIFY_CHANNEL}`);
    try {
      const started = Date.now();
      const r = await gql(api1.url, key, REQUEST_OTP, { input: { destination: "+14155550802", channel: "SMS" } });
      expect(r.errors).toBeUndefined();
      await twilio.waitForMessage((m) => m.to === "+14155550802");
      // Far inside the worker's one-minute poll: the wake-up came over Redis.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(notified).toEqual([]);
    } finally {
      await listener.end();
    }
  }, 30_000);
});
