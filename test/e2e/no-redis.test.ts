import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { createTestDatabase } from "../helpers/test-database";
import { TwilioFake } from "../fakes/twilio-fake";
import { eventually, extractCode } from "../helpers/codes";
import { refusal, requestOtp, resendOtp, verifyOtp } from "../helpers/abuse";
import { DELIVERY_STATUS, collect, wsClient } from "../helpers/ws-client";

const ACCOUNT_SID = "AC00000000000000000000000000000071";
const AUTH_TOKEN = "twilio-test-auth-token-no-redis";
/**
 * The safety-net poll, set far beyond any wait below: whatever is sent in time was sent because
 * a wake-up arrived (in-process, or pg_notify between processes). A 200 ms poll, as most suites
 * use, would hide a broken wake-up behind the next poll.
 */
const POLL_MS = "60000";

/**
 * The gateway WITHOUT Redis, as a small install runs it: limits in memory, events on the
 * in-process bus, and between an api and a worker process only Postgres (LISTEN/NOTIFY).
 */
describe("without Redis", () => {
  let db: { url: string; drop(): Promise<void> };
  let twilio: TwilioFake;
  let api: TestGateway;
  let worker: TestGateway;
  let single: TestGateway;
  const clients: Array<ReturnType<typeof wsClient>> = [];

  beforeAll(async () => {
    [db, twilio] = await Promise.all([createTestDatabase(), TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callbackDelayMs: 20 })]);
    const env = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url, WORKER_POLL_MS: POLL_MS };
    api = await startGateway({ databaseUrl: db.url, role: "api", redis: false, env });
    // The worker names the api's URL to Twilio: callbacks reach the api process, not the worker.
    worker = await startGateway({ databaseUrl: db.url, role: "worker", redis: false, env: { ...env, PUBLIC_URL: api.env.PUBLIC_URL } });
    single = await startGateway({ redis: false, env });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    for (const gw of [single, worker, api]) await gw?.stop();
    await twilio?.stop();
    await db?.drop();
  });

  it("api and worker processes over Postgres alone: requests and resends are sent at once, woken by pg_notify", async () => {
    const app = await api.createApp({ name: "Two processes", resendCooldownSeconds: 0 });
    const to = "+14155550701";
    const v = (await requestOtp(api, app.key, to)).data.requestOtp;
    const first = await twilio.waitForMessage((m) => m.to === to);
    const resent = await resendOtp(api, app.key, v.id);
    expect(resent.errors).toBeUndefined();
    const second = await twilio.waitForMessage((m) => m.to === to && m.sid !== first.sid);
    // The callback reached the api process and moved the delivery on.
    await eventually(async () => {
      const [d] = await api.app.db.ds.query(`SELECT status FROM deliveries WHERE verification_id = $1 ORDER BY created_at LIMIT 1`, [v.id]);
      return d.status === "DELIVERED" ? true : undefined;
    }, "the first delivery's callback");
    expect((await verifyOtp(api, app.key, { verificationId: v.id, code: extractCode(second.body!) })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("a fallback queued by a vendor callback in the api process wakes the worker process", async () => {
    const app = await api.createApp({ name: "Fallback", settings: { fallbackChannel: "VOICE" } });
    const to = "+14155550702";
    twilio.setOutcome(to, { status: "undelivered", errorCode: "30003" });
    const v = (await requestOtp(api, app.key, to)).data.requestOtp;
    const sms = await twilio.waitForMessage((m) => m.to === to && m.kind === "sms");
    const call = await twilio.waitForMessage((m) => m.to === to && m.kind === "call");
    expect(extractCode(call.twiml!)).toBe(extractCode(sms.body!));
    const rows = await api.app.db.ds.query(`SELECT channel, fallback_of IS NOT NULL AS fallback FROM deliveries WHERE verification_id = $1 ORDER BY created_at`, [v.id]);
    expect(rows).toEqual([{ channel: "SMS", fallback: false }, { channel: "VOICE", fallback: true }]);
  });

  it("one process: the in-process bus carries every status to a subscriber, and limits count in memory", async () => {
    const app = await single.createApp({ name: "One process", maxSends: 2, resendCooldownSeconds: 0 });
    const to = "+14155550703";
    const v = (await requestOtp(single, app.key, to)).data.requestOtp;
    const ws = wsClient(single.url, app.key);
    clients.push(ws);
    const sub = collect(ws, DELIVERY_STATUS, { id: v.id });
    await eventually(() => (sub.results.some((p: any) => p.data?.deliveryStatus.delivery.status === "DELIVERED") ? true : undefined), "DELIVERED on the subscription");
    const sms = await twilio.waitForMessage((m) => m.to === to);
    expect(sub.results.map((p: any) => p.data?.deliveryStatus.delivery.status)).toEqual(["QUEUED", "SENDING", "SENT", "DELIVERED"].slice(-sub.results.length));

    // Sends per destination (2 per 10 minutes), counted in this process's memory.
    expect((await requestOtp(single, app.key, to)).errors).toBeUndefined();
    const refused = await requestOtp(single, app.key, to);
    expect(refusal(refused).code).toBe("RATE_LIMITED");
    expect(refusal(refused).retryAfter).toBeGreaterThan(500);
    // Failed-code budgets too: per client IP. By destination (a live verification's id is judged by
    // its own attempt count alone since issue #19, so it would not meet the IP's budget).
    const limited = await single.createApp({ name: "IP budget", settings: { limits: { verifyFailuresPerIp: { max: 2, windowSeconds: 3600 } } } });
    const guess = { destination: "+14155550704", code: "000000", clientIp: "192.0.2.70" };
    await requestOtp(single, limited.key, guess.destination);
    for (let i = 0; i < 2; i++) expect((await verifyOtp(single, limited.key, guess)).data.verifyOtp).toBeTruthy();
    expect(refusal(await verifyOtp(single, limited.key, guess)).code).toBe("RATE_LIMITED");
    expect(extractCode(sms.body!)).toMatch(/^\d{6}$/);
  });
});
