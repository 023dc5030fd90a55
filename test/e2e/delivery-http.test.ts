import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/src/config/config";
import { Channel } from "../../server/src/verification/enums";
import { HttpVendorFake, newWebhookSecret } from "../fakes/http-vendor-fake";
import { httpPost } from "../fakes/fake-http";
import { eventually, extractCode } from "../helpers/codes";
import { freePort, startGateway, type TestGateway } from "../helpers/gateway";
import { VERIFY_OTP, gql } from "../helpers/graphql-client";
import { httpVendorEnv } from "../helpers/more-vendors";
import { deliveryProbe } from "../helpers/delivery-probe";
import { startFails } from "../helpers/start-fails";
import { FAST_RETRY, SLOW_BREAKER, startVendors, type Vendors } from "../helpers/vendors";

/** The `http` provider ("bring your own vendor") against the reference vendor: signed JSON out, signed status reports back. */
describe("delivery through the http provider", () => {
  let vendor: HttpVendorFake;
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let statusUrl: string;

  beforeAll(async () => {
    vendor = await HttpVendorFake.start();
    vendors = await startVendors({ only: ["twilio"] });
    gw = await startGateway({
      env: { ...vendors.env, ...httpVendorEnv(vendor, "SMS,VOICE,EMAIL,WHATSAPP"), SMS_PROVIDERS: "http,twilio", VOICE_PROVIDERS: "http", PROVIDER_TIMEOUT_MS: "1500" },
      retry: FAST_RETRY, breaker: SLOW_BREAKER,
    });
    statusUrl = `${gw.env.PUBLIC_URL}/webhooks/http/status`;
    vendor.statusUrl = statusUrl;
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
  });
  afterEach(() => {
    vendor.clear();
    vendors.twilio.clear();
  });
  afterAll(async () => {
    await gw?.stop();
    await vendor?.stop();
    await vendors?.stop();
  });

  const { request, delivery, reaches, attempts } = deliveryProbe(() => ({ gw, key: app.key }));
  const callbackEvents = (id: string) => gw.app.db.ds.query(`SELECT status FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);

  it("POSTs the rendered SMS as signed JSON; the code verifies; the signed status report makes it DELIVERED", async () => {
    const id = await request("+14155550701", "SMS", "es");
    const msg = await vendor.waitForMessage((m) => m.body.to === "+14155550701");
    const d = await delivery(id);
    // webhook-id is the delivery's id: the same on every retry, so the vendor can drop duplicates.
    expect(msg.webhookId).toBe(d.id);
    expect(msg.body).toEqual({ id: d.id, channel: "SMS", to: "+14155550701", text: expect.stringMatching(/\d{6}/), locale: "es" });
    expect(msg.body.text).toMatch(/código/i);
    expect(vendor.unsigned).toBe(0);
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(msg.body.text) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect((await vendor.waitForCallback((c) => c.body.messageId === msg.messageId)).status).toBe(204);
    expect(await reaches(id, ["DELIVERED"])).toMatchObject({ provider: "http", errorCode: null });
    const [attempt] = await gw.app.db.ds.query(
      `SELECT a.provider_message_id FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1`, [id]);
    expect(attempt.provider_message_id).toBe(msg.messageId);
  });

  it("carries voice (with the spoken script), e-mail (subject and html) and WhatsApp on the channels HTTP_PROVIDER_CHANNELS names", async () => {
    await request("+14155550702", "VOICE");
    const call = await vendor.waitForMessage((m) => m.body.to === "+14155550702");
    expect(call.body).toMatchObject({ channel: "VOICE", voiceScript: expect.stringMatching(/\d, \d, \d/), locale: "en" });
    await request("ana@example.com", "EMAIL");
    const mail = await vendor.waitForMessage((m) => m.body.to === "ana@example.com");
    expect(mail.body).toMatchObject({ channel: "EMAIL", subject: expect.any(String), html: expect.stringContaining("<") });
    expect(extractCode(mail.body.text)).toMatch(/^\d{6}$/);
    const wa = await request("+14155550709", "WHATSAPP");
    const chat = await vendor.waitForMessage((m) => m.body.to === "+14155550709");
    expect(chat.body).toMatchObject({ channel: "WHATSAPP", locale: "en" });
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: wa, code: extractCode(chat.body.text) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });

  it("records the vendor's own error code from an undelivered report", async () => {
    vendor.setOutcome("+14155550703", { status: "undelivered", errorCode: "ABSENT", errorMessage: "Handset switched off" });
    const id = await request("+14155550703");
    expect(await reaches(id, ["UNDELIVERED"])).toMatchObject({ provider: "http", errorCode: "ABSENT", errorMessage: "Handset switched off" });
  });

  it("a report's error text quoting the number is scrubbed on the delivery, its event and the event's raw parameters", async () => {
    vendor.setOutcome("+14155550710", { status: "undelivered", errorCode: "ABSENT", errorMessage: "Handset +14155550710 switched off" });
    const id = await request("+14155550710");
    expect(await reaches(id, ["UNDELIVERED"])).toMatchObject({ errorMessage: "Handset +1******0710 switched off" });
    const [event] = await gw.app.db.ds.query(`SELECT error_message, raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback' AND status = 'UNDELIVERED'`, [id]);
    expect(event).toMatchObject({ error_message: "Handset +1******0710 switched off", raw: { errorCode: "ABSENT", errorMessage: "Handset +1******0710 switched off" } });
  });

  it("a 4xx is a permanent failure: not retried, not failed over, the vendor's code on the Delivery", async () => {
    vendor.failNext(1, 422, { errorCode: "NOT_MOBILE", errorMessage: "The number is a landline" });
    const id = await request("+14155550704");
    expect(await reaches(id, ["FAILED"])).toMatchObject({ provider: "http", errorCode: "NOT_MOBILE", errorMessage: "The number is a landline" });
    expect((await attempts(id)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["http", "FAILED", "NOT_MOBILE"]]);
    expect(vendors.twilio.messages).toHaveLength(0);
  });

  it("a 5xx and a timeout are retried on the same vendor, then it sends", async () => {
    vendor.failNext(1, 503);
    const id = await request("+14155550705");
    expect(await reaches(id, ["SENT", "DELIVERED"])).toMatchObject({ provider: "http" });
    expect((await attempts(id)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["http", "RETRY", "HTTP_503"], ["http", "SENT", null]]);

    vendor.setDelay(2000); // past PROVIDER_TIMEOUT_MS=1500
    const slow = await request("+14155550706");
    await eventually(async () => ((await attempts(slow)).some((a) => a.error_code === "TIMEOUT") ? true : undefined), "a timed-out attempt");
    vendor.setDelay(0);
    expect(await reaches(slow, ["SENT", "DELIVERED"])).toMatchObject({ provider: "http" });
    const rows = await attempts(slow);
    expect(rows[0]).toMatchObject({ provider: "http", outcome: "RETRY", error_code: "TIMEOUT" });
    expect(rows.at(-1)).toMatchObject({ provider: "http", outcome: "SENT", error_code: null });
  });

  it("fails over to the next provider (SMS_PROVIDERS=http,twilio) when the vendor is down", async () => {
    vendor.setOutage(503);
    const id = await request("+14155550707");
    expect(await reaches(id, ["SENT", "DELIVERED"])).toMatchObject({ provider: "twilio" });
    expect((await attempts(id)).map((a) => [a.provider, a.outcome])).toEqual([["http", "RETRY"], ["http", "RETRY"], ["http", "FAILOVER"], ["twilio", "SENT"]]);
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+14155550707");
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("refuses forged, unsigned, tampered and stale (over 5 minutes) status reports with 403, changing nothing", async () => {
    vendor.setOutcome("+14155550708", null); // the vendor itself reports nothing: only the forgeries could move it
    const id = await request("+14155550708");
    const msg = await vendor.waitForMessage((m) => m.body.to === "+14155550708");
    await reaches(id, ["SENT"]);
    const payload = JSON.stringify({ messageId: msg.messageId, status: "failed", errorCode: "FORGED" });
    const forger = await HttpVendorFake.start({ secret: newWebhookSecret() });
    try {
      const tampered = vendor.signedHeaders(JSON.stringify({ messageId: msg.messageId, status: "delivered" }));
      const attemptsAt = [
        forger.signedHeaders(payload), // another secret
        { "content-type": "application/json" }, // unsigned
        tampered, // signed for another body
        vendor.signedHeaders(payload, new Date(Date.now() - 6 * 60_000)), // captured six minutes ago
      ];
      for (const headers of attemptsAt) {
        const res = await httpPost(statusUrl, headers, payload);
        expect(res.status).toBe(403);
      }
    } finally {
      await forger.stop();
    }
    expect(await delivery(id)).toMatchObject({ status: "SENT", errorCode: null });
    expect(await callbackEvents(id)).toEqual([]);
    // The genuine report, just signed, is applied; a signed report that isn't one is 400.
    expect((await httpPost(statusUrl, vendor.signedHeaders(payload), payload)).status).toBe(204);
    expect(await delivery(id)).toMatchObject({ status: "FAILED", errorCode: "FORGED" });
    const junk = JSON.stringify({ messageId: msg.messageId, status: "read" });
    expect((await httpPost(statusUrl, vendor.signedHeaders(junk), junk)).status).toBe(400);
  });

  it("shows on the providers page with its breaker, and explains its error codes on the timeline", async () => {
    const health = gw.app.services.registry.providerHealth().find((h) => h.provider === "http");
    expect(health).toMatchObject({ channels: ["SMS", "VOICE", "EMAIL", "WHATSAPP"], state: "closed" });
    const { explainError } = await import("../../server/src/admin/error-explanations");
    expect(explainError("http", "TIMEOUT")).toMatch(/did not answer in time/);
    expect(explainError("http", "HTTP_401")).toMatch(/HTTP_PROVIDER_SECRET/);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/otp_provider_circuit_state\{provider="http",state="closed"\} 1/);
  });
});

describe("the http provider at start-up", () => {
  it("refuses to start when the vendor refuses the signature (exit 2, naming the variables, not the secret)", async () => {
    const vendor = await HttpVendorFake.start();
    try {
      const wrong = newWebhookSecret();
      const err = await startFails({ HTTP_PROVIDER_URL: vendor.url, HTTP_PROVIDER_SECRET: wrong });
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/HTTP_PROVIDER_URL \/ HTTP_PROVIDER_SECRET: http provider check failed: .* answered 401/);
      expect(err.message).not.toContain(wrong.slice(6));
      expect(vendor.unsigned).toBe(1);
    } finally {
      await vendor.stop();
    }
  });

  it("refuses a malformed secret or channel list before anything starts", async () => {
    const base = { HTTP_PROVIDER_URL: "http://127.0.0.1:9/messages" };
    expect((await startFails({ ...base, HTTP_PROVIDER_SECRET: "not-a-whsec" })).message).toMatch(/HTTP_PROVIDER_SECRET must be a Standard Webhooks secret/);
    expect((await startFails({ ...base, HTTP_PROVIDER_SECRET: newWebhookSecret(), HTTP_PROVIDER_CHANNELS: "SMS,FAX" })).message).toMatch(/HTTP_PROVIDER_CHANNELS/);
    expect((await startFails({ HTTP_PROVIDER_SECRET: newWebhookSecret() })).message).toMatch(/HTTP_PROVIDER_URL and HTTP_PROVIDER_SECRET go together/);
  });

  it("starts with a warning and an open breaker when the vendor can't be reached", async () => {
    const vendor = await HttpVendorFake.start();
    const closedPort = await freePort();
    const gw = await startGateway({
      env: { HTTP_PROVIDER_URL: `http://127.0.0.1:${closedPort}/messages`, HTTP_PROVIDER_SECRET: vendor.secret },
      breaker: { ...SLOW_BREAKER, halfOpenAfterMs: 200 }, retry: FAST_RETRY,
    });
    try {
      const warning = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "provider unreachable at start-up; starting anyway");
      expect(warning).toMatchObject({ provider: "http", errorCode: "NETWORK" });
      expect(gw.app.services.registry.providerHealth().find((h) => h.provider === "http")).toMatchObject({ state: "open", lastErrorCode: "NETWORK" });
      expect(gw.app.services.registry.forChannel(Channel.SMS).map((p) => p.name)).toEqual(["http"]);
    } finally {
      await gw.stop();
      await vendor.stop();
    }
  });
});

/**
 * HTTP_PROVIDER_CALLBACK_SECRET: the vendor signs its status reports with a secret of its own;
 * the gateway keeps signing what it sends with HTTP_PROVIDER_SECRET. Unset, one secret does both
 * (the suite above).
 */
describe("the http provider with a separate callback secret", () => {
  it("accepts status reports signed with the callback secret only; messages are still signed with HTTP_PROVIDER_SECRET", async () => {
    const vendor = await HttpVendorFake.start(); // signs its reports with the send secret: refused here
    const reporter = await HttpVendorFake.start({ secret: newWebhookSecret() }); // only signs, with the callback secret
    const gw = await startGateway({ env: { ...httpVendorEnv(vendor), HTTP_PROVIDER_CALLBACK_SECRET: reporter.secret } });
    try {
      expect(gw.app.config.httpProvider).toMatchObject({ secret: vendor.secret, callbackSecret: reporter.secret });
      vendor.statusUrl = `${gw.env.PUBLIC_URL}/webhooks/http/status`;
      const app = await gw.createApp({ name: "Acme" });
      const { request, delivery, reaches } = deliveryProbe(() => ({ gw, key: app.key }));
      const id = await request("+14155550711");
      const msg = await vendor.waitForMessage((m) => m.body.to === "+14155550711");
      expect(vendor.unsigned).toBe(0); // the vendor checked our signature with the send secret
      // The vendor's own report, signed with the send secret, is refused and changes nothing.
      expect((await vendor.waitForCallback((c) => c.body.messageId === msg.messageId)).status).toBe(403);
      await reaches(id, ["SENT"]);
      const payload = JSON.stringify({ messageId: msg.messageId, status: "delivered" });
      expect((await httpPost(vendor.statusUrl, vendor.signedHeaders(payload), payload)).status).toBe(403);
      expect(await delivery(id)).toMatchObject({ status: "SENT" });
      // Signed with the callback secret, it is applied.
      expect((await httpPost(vendor.statusUrl, reporter.signedHeaders(payload), payload)).status).toBe(204);
      expect(await reaches(id, ["DELIVERED"])).toMatchObject({ provider: "http" });
    } finally {
      await gw.stop();
      await vendor.stop();
      await reporter.stop();
    }
  });

  it("defaults to HTTP_PROVIDER_SECRET; is refused malformed, or without the provider", async () => {
    const secret = newWebhookSecret();
    const base = { HTTP_PROVIDER_URL: "http://127.0.0.1:9/messages", HTTP_PROVIDER_SECRET: secret };
    expect(loadConfig(base).httpProvider).toMatchObject({ secret, callbackSecret: secret });
    expect(() => loadConfig({ ...base, HTTP_PROVIDER_CALLBACK_SECRET: "not-a-whsec" })).toThrow(/HTTP_PROVIDER_CALLBACK_SECRET must be a Standard Webhooks secret/);
    expect(() => loadConfig({ HTTP_PROVIDER_CALLBACK_SECRET: newWebhookSecret() })).toThrow(/HTTP_PROVIDER_CALLBACK_SECRET needs HTTP_PROVIDER_URL/);
  });
});
