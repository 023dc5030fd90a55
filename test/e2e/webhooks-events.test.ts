import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryStore } from "../../server/src/delivery/delivery-store";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { CANCEL_OTP, REQUEST_OTP, RESEND_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { verifyStandardWebhook, WebhookReceiver, type ReceivedWebhook } from "../helpers/webhook-receiver";
import { randomUsNumber } from "../bench/numbers";

const TIMEOUT_MS = 2000;

/**
 * Verification events end to end: the real flows produce them, the worker POSTs them to a local
 * receiver that checks every signature by hand (not with the package the gateway signs with).
 * Backoff timings are injected (WEBHOOK_RETRY_*), so retries take milliseconds.
 */
describe("webhooks: verification events", () => {
  let gw: TestGateway;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    // A 2 s timeout: at 400 ms a loaded machine timed out answers the receiver had given, and the
    // retry (at-least-once, rightly) showed up as a second event where the test counts them.
    // The outbox's played DELIVERED receipt would land anywhere among the events whose order this suite checks: off here.
    gw = await startGateway({ env: { OUTBOX_DELIVERY_DELAY_MS: "off", WEBHOOK_RETRY_BASE_MS: "40", WEBHOOK_RETRY_MAX_MS: "150", WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_POLL_MS: "100", WEBHOOK_LEASE_SECONDS: "5" } });
  });
  afterAll(async () => {
    await gw?.stop();
    for (const r of receivers) await r.stop();
  });

  /**
   * Each test's own app, endpoint and receiver: no test reads what another one caused, so
   * each passes alone, in any order (`-t`), and one test's hanging receiver holds nobody else's.
   */
  async function hooked(settings: Parameters<TestGateway["createApp"]>[0] = {}, events?: string) {
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const app = await gw.createApp({ name: "Hooks", maxSends: 50, resendCooldownSeconds: 30, ...settings });
    const { endpoint, secret } = await gw.app.services.webhookEndpoints.add(app.id, receiver.url, events);
    receiver.secret = secret;
    const request = (destination: string) => gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel: "SMS" } });
    const eventsOf = (verificationId: string) =>
      receiver.accepted().filter((r) => r.json?.data?.id === verificationId || r.json?.data?.verificationId === verificationId);
    const waitFor = (what: string, pick: () => ReceivedWebhook | undefined, timeoutMs = 15_000) => eventually(pick, what, timeoutMs);
    /** Waits until the outbox has nothing left in flight for the verification, then gives what the receiver accepted. */
    const settled = async (verificationId: string) => {
      await eventually(async () => {
        const [row] = await gw.app.db.ds.query(
          `SELECT count(*)::int AS open FROM webhook_messages m JOIN webhook_events e ON e.id = m.event_id
            WHERE e.verification_id = $1 AND m.status IN ('PENDING', 'SENDING')`, [verificationId]);
        return row.open === 0 ? true : undefined;
      }, "the verification's webhooks to be delivered", 15_000);
      return eventsOf(verificationId);
    };
    return { app, endpoint, secret, receiver, request, eventsOf, waitFor, settled };
  }

  it("request → deliveries → approve: pending, each delivery status, approved — in order, signed, masked, never the code", async () => {
    const { app, request, eventsOf, waitFor, settled } = await hooked();
    const destination = randomUsNumber();
    const r = await request(destination);
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    const code = await codeFromOutbox(gw.logs, destination);
    await waitFor("the SENT delivery event", () => eventsOf(v.id).find((e) => e.json.data.delivery?.status === "SENT"));
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: v.id, code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");

    // As a receiver does (at-least-once delivery): a retried event counts once, by its webhook-id.
    const events = (await settled(v.id)).filter((e, i, all) => all.findIndex((x) => x.id === e.id) === i);
    const types = events.map((e) => (e.json.type === "delivery.updated" ? `delivery.${e.json.data.delivery.status}` : e.json.type));
    expect(types).toEqual(["verification.pending", "delivery.QUEUED", "delivery.SENDING", "delivery.SENT", "verification.approved"]);
    for (const e of events) {
      expect(e.verified).toBe(true);
      expect(e.json.id).toBe(e.id); // the body's id is the webhook-id
      expect(Object.keys(e.json).sort()).toEqual(["createdAt", "data", "id", "type"]);
      expect(e.body).not.toContain(code);
      expect(e.body).not.toContain(destination);
    }
    const pending = events[0].json;
    expect(pending.data).toMatchObject({
      id: v.id, channel: "SMS", status: "PENDING", to: v.to, purpose: null, codeLength: 6, attemptsRemaining: 5,
      expiresAt: v.expiresAt, resendAvailableAt: v.resendAvailableAt,
    });
    expect(pending.data.deliveries).toEqual([expect.objectContaining({ id: v.deliveries[0].id, channel: "SMS", provider: "outbox", status: "QUEUED" })]);
    expect(events[3].json.data).toEqual({
      verificationId: v.id,
      delivery: expect.objectContaining({ id: v.deliveries[0].id, channel: "SMS", provider: "outbox", status: "SENT", errorCode: null, errorMessage: null }),
    });
    expect(events[4].json.data).toMatchObject({ id: v.id, status: "APPROVED", to: v.to, attemptsRemaining: 5 });
    expect(new Date(events[4].json.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(pending.createdAt).getTime());
  });

  it("wrong codes to the end: verification.max_attempts_reached; cancel: verification.canceled; a refused resend: block.created", async () => {
    const { app, receiver, request, eventsOf, waitFor } = await hooked();
    const a = (await request(randomUsNumber())).data.requestOtp;
    for (let i = 0; i < 5; i++) await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: a.id, code: "0000000" } });
    const b = (await request(randomUsNumber())).data.requestOtp;
    await gql(gw.url, app.key, CANCEL_OTP, { id: b.id });
    const c = (await request(randomUsNumber())).data.requestOtp;
    const refused = await gql(gw.url, app.key, RESEND_OTP, { id: c.id }); // within the 30 s cooldown
    expect(errorCode(refused)).toBe("RATE_LIMITED");

    const maxed = await waitFor("verification.max_attempts_reached", () => eventsOf(a.id).find((e) => e.json.type === "verification.max_attempts_reached"));
    expect(maxed.json.data).toMatchObject({ id: a.id, status: "MAX_ATTEMPTS_REACHED", attemptsRemaining: 0 });
    const canceled = await waitFor("verification.canceled", () => eventsOf(b.id).find((e) => e.json.type === "verification.canceled"));
    expect(canceled.json.data).toMatchObject({ id: b.id, status: "CANCELED" });
    const block = await waitFor("block.created", () => receiver.accepted().find((e) => e.json.type === "block.created"));
    expect(block.verified).toBe(true);
    expect(block.json.data).toMatchObject({ rule: "resend_cooldown", hits: expect.any(Number), limit: expect.any(Number) });
    expect(block.json.data.key).toMatch(/\*/); // masked
    expect(block.body).not.toContain("limiterKey");
    // A shadow-mode block refused nothing: no event for it.
    const shadowId = await gw.app.services.blocks.record({
      appId: app.id, rule: "unverified_prefix", key: `${app.id}:+1415`, keyMasked: "+1415", hits: 9, limit: 8, blockedUntil: new Date(Date.now() + 60_000), shadow: true,
    });
    const realId = await gw.app.services.blocks.record({
      appId: app.id, rule: "unverified_prefix", key: `${app.id}:+1416`, keyMasked: "+1416", hits: 9, limit: 8, blockedUntil: new Date(Date.now() + 60_000),
    });
    await waitFor("the real block's event", () => receiver.accepted().find((e) => e.json.type === "block.created" && e.json.data.id === realId));
    expect(receiver.received.find((e) => e.json?.data?.id === shadowId)).toBeUndefined();
  });

  it("expiry: the worker's sweep and a verify on an expired code each emit verification.expired once", async () => {
    const { app: short, endpoint, receiver, waitFor } = await hooked({ name: "Short", ttlSeconds: 1 }, "verification.expired");
    const requestShort = async () => (await gql(gw.url, short.key, REQUEST_OTP, { input: { destination: randomUsNumber(), channel: "SMS" } })).data.requestOtp;
    const swept = await requestShort();
    const tried = await requestShort();
    // Past its expiry by the database's clock, the one verify and the sweep compare with.
    await eventually(async () => {
      const [row] = await gw.app.db.ds.query(`SELECT expires_at <= now() AS past FROM verifications WHERE id = $1`, [tried.id]);
      return row.past ? true : undefined;
    }, "the verification's expiry");
    const late = await gql(gw.url, short.key, VERIFY_OTP, { input: { verificationId: tried.id, code: "123456" } });
    expect(late.data.verifyOtp.status).toBe("EXPIRED");
    // The sweep the worker runs every 30 s, run now.
    await new DeliveryStore(gw.app.db.ds).expireVerifications();
    for (const v of [swept, tried]) {
      const e = await waitFor(`verification.expired for ${v.id}`, () => receiver.accepted().find((x) => x.json.type === "verification.expired" && x.json.data.id === v.id));
      expect(e.json.data.status).toBe("EXPIRED");
    }
    await new DeliveryStore(gw.app.db.ds).expireVerifications(); // a second sweep finds nothing new
    // Once: one event each in the store, and the outbox has nothing left to send.
    const rows = await gw.app.db.ds.query(`SELECT verification_id FROM webhook_events WHERE type = 'verification.expired' AND verification_id = ANY($1)`, [[swept.id, tried.id]]);
    expect(rows.map((r: any) => r.verification_id).sort()).toEqual([swept.id, tried.id].sort());
    await eventually(async () => {
      const [row] = await gw.app.db.ds.query(`SELECT count(*)::int AS open FROM webhook_messages WHERE endpoint_id = $1 AND status IN ('PENDING', 'SENDING')`, [endpoint.id]);
      return row.open === 0 ? true : undefined;
    }, "the endpoint's outbox drained");
    for (const v of [swept, tried]) {
      expect(receiver.received.filter((x) => x.json.type === "verification.expired" && x.json.data.id === v.id)).toHaveLength(1);
    }
    // The filter holds: the short app's endpoint got nothing but expiries.
    const [{ n }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM webhook_messages WHERE endpoint_id = $1`, [endpoint.id]);
    expect(n).toBe(2);
  });

  it("retries after 500s and a timeout, with the same webhook-id and body; later events of the verification wait", async () => {
    const { receiver, request, settled } = await hooked();
    let pendingId = "";
    receiver.respond = (w, nth) => {
      if (w.json?.type !== "verification.pending") return 200;
      pendingId = w.id;
      return nth === 0 ? 500 : nth === 1 ? "hang" : nth === 2 ? 503 : 200;
    };
    const v = (await request(randomUsNumber())).data.requestOtp;
    const events = await settled(v.id);
    const tries = receiver.received.filter((r) => r.id === pendingId);
    expect(tries.map((t) => t.answered)).toEqual([500, 0, 503, 200]);
    expect(tries.every((t) => t.verified)).toBe(true);
    expect(new Set(tries.map((t) => t.body)).size).toBe(1);
    // In order: nothing of this verification was accepted before its first event.
    expect(events[0].json.type).toBe("verification.pending");
    expect(events.slice(1).every((e) => e.json.type === "delivery.updated")).toBe(true);
    const attempts = await gw.app.db.ds.query(
      `SELECT a.status_code, a.error, a.outcome, a.latency_ms FROM webhook_attempts a JOIN webhook_messages m ON m.id = a.message_id
        WHERE m.event_id = $1 ORDER BY a.id`, [pendingId]);
    expect(attempts.map((a: any) => [a.status_code, a.outcome])).toEqual([[500, "RETRY"], [null, "RETRY"], [503, "RETRY"], [200, "DELIVERED"]]);
    expect(attempts[0].error).toMatch(/^HTTP 500/);
    expect(attempts[1].error).toMatch(new RegExp(`Timed out after ${TIMEOUT_MS} ms`));
    expect(attempts[1].latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
  });

  it("a receiver that never answers holds webhook slots only: requestOtp answers and the code is sent meanwhile", async () => {
    const { receiver, request, waitFor, settled } = await hooked();
    receiver.respond = () => "hang";
    const destination = randomUsNumber();
    const r = await request(destination);
    expect(r.errors).toBeUndefined();
    await codeFromOutbox(gw.logs, destination); // the OTP delivery went out while its webhook hangs
    const hung = await waitFor("the hanging webhook", () => receiver.received.find((x) => x.json?.data?.id === r.data.requestOtp.id && x.answered === 0));
    expect(hung).toBeDefined();
    // Every try hangs until the receiver is told otherwise: the code went out while none was answered.
    expect(receiver.accepted().filter((x) => x.json?.data?.id === r.data.requestOtp.id)).toEqual([]);
    receiver.respond = () => 200;
    await settled(r.data.requestOtp.id);
  });

  it("the receiver's own check fails on a wrong secret or a tampered body (the check can fail)", async () => {
    const { receiver, request, waitFor } = await hooked();
    const v = (await request(randomUsNumber())).data.requestOtp;
    const e = await waitFor("an event", () => receiver.accepted().find((x) => x.json?.data?.id === v.id));
    const headers = { "webhook-id": e.id, "webhook-timestamp": e.timestamp, "webhook-signature": e.signature };
    expect(verifyStandardWebhook(receiver.secret, headers, e.body, Number(e.timestamp))).toBe(true);
    expect(verifyStandardWebhook("whsec_" + Buffer.alloc(24, 7).toString("base64"), headers, e.body, Number(e.timestamp))).toBe(false);
    expect(verifyStandardWebhook(receiver.secret, headers, e.body.replace("}", ' }'), Number(e.timestamp))).toBe(false);
  });

  it("metrics per endpoint host: attempts by outcome, messages sent, the queue", async () => {
    const metrics = async () => {
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      const value = (line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
      return {
        text,
        retries: value('otp_webhook_attempts_total{host="127.0.0.1",outcome="RETRY"}'),
        delivered: value('otp_webhook_attempts_total{host="127.0.0.1",outcome="DELIVERED"}'),
        sent: value('otp_webhook_messages_total{host="127.0.0.1",outcome="sent"}'),
      };
    };
    const before = await metrics();
    // Its own traffic: the first event refused twice, then everything accepted.
    const { receiver, request, settled } = await hooked();
    receiver.respond = (_w, nth) => (nth < 2 ? 500 : 200);
    const v = (await request(randomUsNumber())).data.requestOtp;
    const events = await settled(v.id);
    expect(events.length).toBeGreaterThan(0);
    const after = await metrics();
    expect(after.retries - before.retries).toBeGreaterThanOrEqual(2);
    expect(after.delivered - before.delivered).toBeGreaterThanOrEqual(events.length);
    expect(after.sent).toBe(after.delivered);
    expect(after.text).toMatch(/^otp_webhook_latency_seconds_count\{host="127\.0\.0\.1"\} \d+$/m);
    expect(after.text).toContain("# TYPE otp_webhook_queue gauge");
  });

  it("stores the secret sealed, never in clear", async () => {
    const { endpoint, secret, request, settled } = await hooked();
    await settled((await request(randomUsNumber())).data.requestOtp.id); // the secret in use: events were signed with it
    const [row] = await gw.app.db.ds.query(`SELECT secret_cipher FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
    expect(Buffer.from(row.secret_cipher).toString("latin1")).not.toContain(secret.slice(6, 20));
    expect(gw.logs.lines.join("\n")).not.toContain(secret);
  });
});
