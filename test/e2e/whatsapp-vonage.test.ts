import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { httpPost } from "../fakes/fake-http";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { FAST_RETRY, SLOW_BREAKER, VONAGE_FROM } from "../helpers/vendors";
import { VONAGE_TEMPLATE, VONAGE_WHATSAPP_FROM, startWhatsAppVendors, type WhatsAppVendors } from "../helpers/whatsapp";

/**
 * WHATSAPP through Vonage's Messages API (the real @vonage/server-sdk, JWT auth with the
 * application's private key, against the stand-in): template messages, JWT-signed status
 * callbacks verified against the exact body, errors, retries, and the fallback to SMS.
 */
describe("WhatsApp through Vonage", () => {
  let vendors: WhatsAppVendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let fallbackApp: { id: string; key: string };
  let statusUrl: string;

  beforeAll(async () => {
    vendors = await startWhatsAppVendors();
    gw = await startGateway({ env: vendors.envFor("vonage", { sms: true }), retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
    fallbackApp = await gw.createApp({ name: "Fallback", maxSends: 50, settings: { fallbackChannel: "SMS" } });
    statusUrl = `${gw.env.PUBLIC_URL}/webhooks/vonage/status`;
  });
  afterEach(() => vendors.vonage.clear());
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const wa = () => vendors.vonage.whatsapp!;
  const request = (destination: string, key = app.key, extra: Record<string, unknown> = {}) =>
    gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "WHATSAPP", ...extra } });
  const deliveries = async (id: string, key = app.key) => (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification.deliveries;
  const until = (id: string, pred: (ds: any[]) => boolean, what: string, key = app.key) =>
    eventually(async () => {
      const ds = await deliveries(id, key);
      return pred(ds) ? ds : undefined;
    }, what);
  const events = (id: string) =>
    gw.app.db.ds.query(`SELECT status, source, error_code, raw FROM delivery_events WHERE verification_id = $1 ORDER BY id`, [id]);
  const attempts = (id: string) =>
    gw.app.db.ds.query(`SELECT a.provider, a.outcome, a.error_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`, [id]);

  it("sends the template message with JWT auth; the code read off the handset verifies; signed callbacks up to `read` make it DELIVERED", async () => {
    const r = await request("+447911123501");
    expect(r.errors).toBeUndefined();
    const id = r.data.requestOtp.id;
    const msg = await wa().waitForMessage((m) => m.to === "447911123501");
    const [delivery] = await deliveries(id);
    expect(msg).toMatchObject({
      auth: "jwt", channel: "whatsapp", from: VONAGE_WHATSAPP_FROM, templateName: VONAGE_TEMPLATE, locale: "en",
      clientRef: delivery.id, webhookUrl: statusUrl,
    });
    const code = extractCode(msg.text);
    expect(msg.parameters).toEqual([code]);
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect(decodeJwt(ok.data.verifyOtp.token).amr).toEqual(["otp", "whatsapp"]);

    await wa().waitForCallback((c) => c.body.message_uuid === msg.messageUuid && c.body.status === "read");
    expect(wa().callbacks.filter((c) => c.body.message_uuid === msg.messageUuid).map((c) => [c.body.status, c.status]))
      .toEqual([["submitted", 204], ["delivered", 204], ["read", 204]]);
    await until(id, (ds) => ds[0].status === "DELIVERED", "the delivered callback");
    const [attempt] = await attempts(id);
    expect(attempt).toEqual({ provider: "vonage", outcome: "SENT", error_code: null });
    const callbackEvents = (await events(id)).filter((e: any) => e.source === "callback");
    expect(callbackEvents).toHaveLength(1);
    expect(callbackEvents[0].raw).toMatchObject({ message_uuid: msg.messageUuid, status: "delivered", channel: "whatsapp" });
    expect(JSON.stringify(callbackEvents[0].raw)).not.toContain("447911123501");
  });

  it("asks for the template in the verification's language", async () => {
    await request("+447911123502", app.key, { locale: "es" });
    expect((await wa().waitForMessage((m) => m.to === "447911123502")).locale).toBe("es");
  });

  it("retries a transient error (503) and then sends", async () => {
    wa().failNext(2, { httpStatus: 503 });
    const id = (await request("+447911123503")).data.requestOtp.id;
    await wa().waitForMessage((m) => m.to === "447911123503");
    await until(id, (ds) => ["SENT", "DELIVERED"].includes(ds[0].status), "the third attempt");
    expect((await attempts(id)).map((a: any) => [a.outcome, a.error_code])).toEqual([["RETRY", "503"], ["RETRY", "503"], ["SENT", null]]);
    expect(wa().requests).toBe(3);
  });

  it("a template WhatsApp refuses (1022: not approved in pt_BR) fails at once, and the app's SMS fallback sends the code", async () => {
    const id = (await request("+447911123504", fallbackApp.key, { locale: "pt-BR" })).data.requestOtp.id;
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "447911123504");
    expect(sms.from).toBe(VONAGE_FROM);
    const ds = await until(id, (x) => x.length === 2, "the SMS fallback", fallbackApp.key);
    expect(ds.map((d: any) => [d.channel, d.provider, d.status === "FAILED" ? "FAILED" : "on its way", d.errorCode]))
      .toEqual([["WHATSAPP", "vonage", "FAILED", "1022"], ["SMS", "vonage", "on its way", null]]);
    expect(wa().requests).toBe(1);
    const ok = await gql(gw.url, fallbackApp.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.text!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });

  it("a number not on WhatsApp (rejected, 131026) is FAILED by the signed callback, and the SMS fallback follows", async () => {
    wa().setOutcome("+447911123505", { status: "rejected", code: "131026", detail: "Message undeliverable" });
    const id = (await request("+447911123505", fallbackApp.key)).data.requestOtp.id;
    await wa().waitForMessage((m) => m.to === "447911123505");
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "447911123505");
    const ds = await until(id, (x) => x.length === 2, "the SMS fallback", fallbackApp.key);
    expect(ds[0]).toMatchObject({ channel: "WHATSAPP", status: "FAILED", errorCode: "131026", errorMessage: "Message undeliverable" });
    expect(ds[1]).toMatchObject({ channel: "SMS" });
    expect(extractCode(sms.text!)).toMatch(/^\d{6}$/);
  });

  it("refuses forged, tampered, replayed-on-another-body and stale callbacks with 403, changing nothing; the genuine one is applied", async () => {
    // The handset never reports back: the delivery stays SENT, so an accepted forgery would show.
    wa().setOutcome("+447911123506", "submitted");
    const id = (await request("+447911123506")).data.requestOtp.id;
    const msg = await wa().waitForMessage((m) => m.to === "447911123506");
    await wa().waitForCallback((c) => c.body.message_uuid === msg.messageUuid && c.body.status === "submitted");
    await until(id, (ds) => ds[0].status === "SENT", "the hand-off");
    const before = await events(id);

    const body = { message_uuid: msg.messageUuid, to: msg.to, from: msg.from, timestamp: new Date().toISOString(), status: "rejected", channel: "whatsapp",
      error: { type: "https://developer.vonage.com/api-errors/messages#131026", title: 131026, detail: "forged" } };
    const post = (text: string, token?: string) =>
      httpPost(statusUrl, { "Content-Type": "application/json", ...(token !== undefined && { Authorization: `Bearer ${token}` }) }, text);
    const genuine = await wa().signedCallback(body);
    const forged = await wa().signedCallback(body, { secret: "not-the-signature-secret" });
    const stale = await wa().signedCallback(body, { iatSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    const future = await wa().signedCallback(body, { iatSeconds: Math.floor(Date.now() / 1000) + 10 * 60 });
    const otherBody = JSON.stringify({ ...body, status: "delivered" });
    const [h, p] = genuine.token.split(".");
    const algNone = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${p}.`;
    for (const [text, token] of [
      [genuine.text, undefined], [genuine.text, forged.token], [genuine.text, stale.token], [genuine.text, future.token],
      [otherBody, genuine.token], [genuine.text, algNone], [genuine.text, `${h}.${p}.AAAA`], [genuine.text, "not-a-jwt"],
    ] as const) {
      expect((await post(text, token)).status).toBe(403);
    }
    expect(await events(id)).toEqual(before);
    expect((await deliveries(id))[0]).toMatchObject({ status: "SENT", errorCode: null });
    const refused = gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg?.startsWith("status callback refused"));
    expect(refused.filter((l) => l.msg.includes("timestamp outside the 5-minute window"))).toHaveLength(2);

    // The genuine token with its own body is applied.
    expect((await post(genuine.text, genuine.token)).status).toBe(204);
    expect((await deliveries(id))[0]).toMatchObject({ status: "FAILED", errorCode: "131026", errorMessage: "forged" });
  });
});

describe("WhatsApp through Vonage with the key/secret pair (Basic auth)", () => {
  let vendors: WhatsAppVendors;
  let gw: TestGateway;

  beforeAll(async () => {
    vendors = await startWhatsAppVendors();
    gw = await startGateway({ env: vendors.envFor("vonage", { vonageAuth: "basic" }), retry: FAST_RETRY, breaker: SLOW_BREAKER });
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  it("sends with Basic auth, and the code verifies", async () => {
    const app = await gw.createApp({ name: "Basic" });
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+447911123511", channel: "WHATSAPP" } });
    expect(r.data.requestOtp.deliveries[0].provider).toBe("vonage");
    const msg = await vendors.vonage.whatsapp!.waitForMessage((m) => m.to === "447911123511");
    expect(msg.auth).toBe("basic");
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code: extractCode(msg.text) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    // No Vonage SMS sender is configured: SMS is the outbox's, WhatsApp Vonage's.
    expect(gw.app.services.registry.forChannel("WHATSAPP" as never).map((p) => p.name)).toEqual(["vonage"]);
  });
});
