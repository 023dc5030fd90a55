import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { httpPost } from "../fakes/fake-http";
import { signTwilioRequest } from "../fakes/twilio-fake";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, RESEND_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { FAST_RETRY, SLOW_BREAKER, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN } from "../helpers/vendors";
import { TWILIO_WHATSAPP_FROM, startWhatsAppVendors, type WhatsAppVendors } from "../helpers/whatsapp";

/**
 * WHATSAPP through Twilio's Messages API (the real SDK against the stand-in): `whatsapp:`
 * addresses, the approved Content template with the code as its variable, signed status
 * callbacks up to `read`, errors, retries, and the app's fallback to SMS.
 */
describe("WhatsApp through Twilio", () => {
  let vendors: WhatsAppVendors;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    vendors = await startWhatsAppVendors();
    gw = await startGateway({ env: vendors.envFor("twilio", { sms: true }), retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
  });
  afterEach(() => vendors.twilio.clear());
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

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

  it("sends the approved template to whatsapp:+…, the code read off the handset verifies, and `read` makes it DELIVERED", async () => {
    const r = await request("+447911123401");
    expect(r.errors).toBeUndefined();
    expect(r.data.requestOtp).toMatchObject({ channel: "WHATSAPP", to: "+44******3401", deliveries: [{ channel: "WHATSAPP", provider: "twilio" }] });
    const id = r.data.requestOtp.id;
    const msg = await vendors.twilio.waitForMessage((m) => m.to === "whatsapp:+447911123401");
    expect(msg).toMatchObject({ kind: "whatsapp", from: `whatsapp:${TWILIO_WHATSAPP_FROM}`, contentSid: vendors.contentSids.en });
    expect(msg.body).toMatch(/^\*\d{6}\* is your verification code/);
    const code = extractCode(msg.body!);
    expect(JSON.parse(msg.contentVariables!)).toEqual({ 1: code });

    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    const claims = decodeJwt(ok.data.verifyOtp.token);
    expect(claims).toMatchObject({ sub: id, amr: ["otp", "whatsapp"], phone_number: "+447911123401", phone_number_verified: true });

    await vendors.twilio.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus === "read");
    await until(id, (ds) => ds[0].status === "DELIVERED", "the read receipt");
    const callbacks = (await events(id)).filter((e: any) => e.source === "callback");
    // sent → (nothing new) ; delivered → DELIVERED ; read → already final: one DELIVERED event, never a regression.
    expect(callbacks.map((e: any) => e.status)).toEqual(["DELIVERED"]);
    expect(vendors.twilio.callbacks.filter((c) => c.params.MessageSid === msg.sid).map((c) => [c.params.MessageStatus, c.status]))
      .toEqual([["sent", 204], ["delivered", 204], ["read", 204]]);
  });

  it("picks the Content template of the verification's language", async () => {
    await request("+447911123402", app.key, { locale: "es-MX" });
    const msg = await vendors.twilio.waitForMessage((m) => m.to === "whatsapp:+447911123402");
    expect(msg.contentSid).toBe(vendors.contentSids.es);
    expect(msg.body).toMatch(/es tu código de verificación/);
  });

  it("applies SMS's channel-country rules and number types to WHATSAPP, and sends nothing", async () => {
    const gbOnly = await gw.createApp({ name: "GB only", countries: ["GB"] });
    const us = await request("+14155550123", gbOnly.key);
    expect(errorCode(us)).toBe("FORBIDDEN");
    expect(us.errors![0].message).toMatch(/WHATSAPP to this country is not allowed/);
    const landline = await request("+442079460123");
    expect(errorCode(landline)).toBe("FORBIDDEN");
    expect(landline.errors![0].message).toMatch(/can't receive WHATSAPP; try VOICE/);
    const email = await request("ana@example.com");
    expect(errorCode(email)).toBe("BAD_USER_INPUT");
    expect(email.errors![0].extensions).toMatchObject({ field: "channel" });
    expect(vendors.twilio.requests).toBe(0);
  });

  it("resendOtp(channel: WHATSAPP) switches an SMS verification to WhatsApp; the new code verifies", async () => {
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+447911123403", channel: "SMS" } });
    const id = r.data.requestOtp.id;
    await vendors.twilio.waitForMessage((m) => m.to === "+447911123403" && m.kind === "sms");
    await gw.app.db.ds.query(`UPDATE verifications SET resend_available_at = now() WHERE id = $1`, [id]);
    const resent = await gql(gw.url, app.key, RESEND_OTP, { id, channel: "WHATSAPP" });
    expect(resent.errors).toBeUndefined();
    expect(resent.data.resendOtp.channel).toBe("WHATSAPP");
    const msg = await vendors.twilio.waitForMessage((m) => m.to === "whatsapp:+447911123403");
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(msg.body!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect(decodeJwt(ok.data.verifyOtp.token).amr).toEqual(["otp", "whatsapp"]);
  });

  it("retries a transient error (503) and then sends; each attempt is a row", async () => {
    vendors.twilio.failNext(2, { status: 503 });
    const id = (await request("+447911123404")).data.requestOtp.id;
    await vendors.twilio.waitForMessage((m) => m.to === "whatsapp:+447911123404");
    await until(id, (ds) => ["SENT", "DELIVERED"].includes(ds[0].status), "the third attempt");
    const rows = await gw.app.db.ds.query(
      `SELECT a.provider, a.outcome, a.error_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`, [id]);
    expect(rows.map((a: any) => [a.provider, a.outcome, a.error_code])).toEqual([["twilio", "RETRY", "20503"], ["twilio", "RETRY", "20503"], ["twilio", "SENT", null]]);
  });

  it("a permanent refusal (63024 invalid recipient) fails at once without retries, explained on the delivery", async () => {
    vendors.twilio.failNext(1, { status: 400, code: 63024, message: "Invalid message recipient" });
    const id = (await request("+447911123405")).data.requestOtp.id;
    const [d] = await until(id, (ds) => ds[0].status === "FAILED", "the permanent failure");
    expect(d).toMatchObject({ provider: "twilio", errorCode: "63024" });
    expect(vendors.twilio.requests).toBe(1);
  });

  it("a number not on WhatsApp (63003) comes back undelivered, and the app's SMS fallback sends the same code by text", async () => {
    const fallbackApp = await gw.createApp({ name: "Fallback", settings: { fallbackChannel: "SMS" } });
    vendors.twilio.setOutcome("whatsapp:+447911123406", { status: "undelivered", errorCode: "63003" });
    const id = (await request("+447911123406", fallbackApp.key)).data.requestOtp.id;
    const wa = await vendors.twilio.waitForMessage((m) => m.to === "whatsapp:+447911123406");
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+447911123406" && m.kind === "sms");
    expect(sms.from).toBe(TWILIO_FROM);
    expect(extractCode(sms.body!)).toBe(extractCode(wa.body!));
    const ds = await until(id, (x) => x.length === 2 && ["SENT", "DELIVERED"].includes(x[1].status), "the SMS fallback", fallbackApp.key);
    expect(ds.map((d: any) => [d.channel, d.status, d.errorCode])).toEqual([["WHATSAPP", "UNDELIVERED", "63003"], ["SMS", ds[1].status, null]]);
    const ok = await gql(gw.url, fallbackApp.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });

  it("without a fallback channel, the undelivered WhatsApp message stays the only delivery", async () => {
    vendors.twilio.setOutcome("whatsapp:+447911123407", { status: "undelivered", errorCode: "63003" });
    const id = (await request("+447911123407")).data.requestOtp.id;
    await until(id, (ds) => ds[0].status === "UNDELIVERED", "the undelivered callback");
    await new Promise((r) => setTimeout(r, 300));
    expect(await deliveries(id)).toHaveLength(1);
    expect(vendors.twilio.messages.filter((m) => m.to === "+447911123407")).toHaveLength(0);
  });

  it("refuses forged and tampered WhatsApp callbacks with 403 and changes nothing", async () => {
    vendors.twilio.setOutcome("whatsapp:+447911123408", { status: "undelivered", errorCode: "63003" });
    // Hold the stand-in's own callbacks back: the forgeries come first.
    const id = (await request("+447911123408")).data.requestOtp.id;
    const msg = await vendors.twilio.waitForMessage((m) => m.to === "whatsapp:+447911123408");
    await vendors.twilio.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus === "undelivered");
    await until(id, (ds) => ds[0].status === "UNDELIVERED", "the genuine callback");
    const before = await events(id);
    const url = `${gw.env.PUBLIC_URL}/webhooks/twilio/status`;
    const params = { AccountSid: TWILIO_SID, MessageSid: msg.sid, MessageStatus: "delivered", To: msg.to, From: msg.from, ChannelPrefix: "whatsapp" };
    const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
    const forged = signTwilioRequest("not-the-token", url, params);
    const signedRead = signTwilioRequest(TWILIO_TOKEN, url, { ...params, MessageStatus: "read" });
    for (const [sig, p] of [[undefined, params], [forged, params], [signedRead, params]] as const) {
      const res = await httpPost(url, { "Content-Type": "application/x-www-form-urlencoded", ...(sig && { "X-Twilio-Signature": sig }) }, form(p));
      expect(res.status).toBe(403);
    }
    expect(await events(id)).toEqual(before);
    expect((await deliveries(id))[0]).toMatchObject({ status: "UNDELIVERED", errorCode: "63003" });
  });
});
