import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { httpPost } from "../fakes/fake-http";
import { signTwilioRequest } from "../fakes/twilio-fake";
import { FAST_RETRY, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, startVendors, type Vendors } from "../helpers/vendors";
import { Channel } from "../../server/src/verification/enums";
import type { OutboundMessage, Provider } from "../../server/src/providers/provider";

/**
 * Twilio status callbacks against the gateway's webhook. The stand-in's own callbacks are
 * held back (a slow handset: 60 s) so that each test posts exactly the callbacks it means to,
 * Twilio-shaped and signed with the SDK's own algorithm, in the order it needs.
 */
describe("Twilio status callbacks", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let fallbackApp: { id: string; key: string };
  let webhook: string;

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio"], callbackDelayMs: 60_000 });
    gw = await startGateway({ env: vendors.env, retry: FAST_RETRY });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
    fallbackApp = await gw.createApp({ name: "Fallback Co", maxSends: 50, settings: { fallbackChannel: "VOICE" } });
    webhook = `${gw.env.PUBLIC_URL}/webhooks/twilio/status`;
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const verification = async (id: string, key = app.key) => (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification;
  const callbackEvents = (verificationId: string) =>
    gw.app.db.ds.query(`SELECT status, error_code FROM delivery_events WHERE verification_id = $1 AND source = 'callback' ORDER BY id`, [verificationId]);
  /** Requests an SMS and waits until Twilio has taken it: returns the verification id and the message sid. */
  const sentSms = async (to: string, key = app.key) => {
    const r = await gql(gw.url, key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } });
    const sms = await vendors.twilio.waitForMessage((m) => m.to === to && m.kind === "sms");
    await eventually(async () => ((await verification(r.data.requestOtp.id, key)).deliveries[0].status === "SENT" ? true : undefined), "SENT");
    return { id: r.data.requestOtp.id as string, sid: sms.sid, sms };
  };
  const params = (sid: string, to: string, status: string, extra: Record<string, string> = {}) => ({
    AccountSid: TWILIO_SID, ApiVersion: "2010-04-01", From: TWILIO_FROM, To: to, MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, ...extra,
  });
  const post = (p: Record<string, string>, signature: string | null = signTwilioRequest(TWILIO_TOKEN, webhook, p), url = webhook) =>
    httpPost(url, { "Content-Type": "application/x-www-form-urlencoded", ...(signature !== null && { "X-Twilio-Signature": signature }) }, new URLSearchParams(p).toString());

  it("refuses unsigned, forged and tampered callbacks with 403 and changes nothing", async () => {
    const to = "+14155550301";
    const { id, sid } = await sentSms(to);
    const failed = params(sid, to, "failed", { ErrorCode: "30008" });
    const signedDelivered = params(sid, to, "delivered");
    const signature = signTwilioRequest(TWILIO_TOKEN, webhook, signedDelivered);
    const attempts = [
      await post(failed, null), // unsigned
      await post(failed, signTwilioRequest("another-accounts-token", webhook, failed)), // forged
      await post(failed, signTwilioRequest(TWILIO_TOKEN, "https://elsewhere.example/webhooks/twilio/status", failed)), // signed for another URL
      await post({ ...signedDelivered, MessageStatus: "failed" }, signature), // genuine signature, altered body
    ];
    expect(attempts.map((a) => a.status)).toEqual([403, 403, 403, 403]);
    expect((await verification(id)).deliveries[0]).toMatchObject({ status: "SENT", errorCode: null });
    expect(await callbackEvents(id)).toEqual([]);
  });

  it("is monotonic and idempotent: a late `sent` never overwrites `delivered`, a final status never changes", async () => {
    const to = "+14155550302";
    const { id, sid } = await sentSms(to);
    expect((await post(params(sid, to, "sent"))).status).toBe(204); // no step forward: SENT already
    expect(await callbackEvents(id)).toEqual([]);
    expect((await post(params(sid, to, "delivered"))).status).toBe(204);
    expect((await verification(id)).deliveries[0].status).toBe("DELIVERED");
    for (const late of [params(sid, to, "sent"), params(sid, to, "queued"), params(sid, to, "delivered"), params(sid, to, "undelivered", { ErrorCode: "30003" })]) {
      expect((await post(late)).status).toBe(204);
    }
    expect((await verification(id)).deliveries[0]).toMatchObject({ status: "DELIVERED", errorCode: null });
    expect(await callbackEvents(id)).toEqual([{ status: "DELIVERED", error_code: null }]);
  });

  it("records an undelivered message with Twilio's error code (30003) on the Delivery", async () => {
    const to = "+14155550303";
    const { id, sid } = await sentSms(to);
    expect((await post(params(sid, to, "undelivered", { ErrorCode: "30003" }))).status).toBe(204);
    expect((await verification(id)).deliveries[0]).toMatchObject({
      provider: "twilio", status: "UNDELIVERED", errorCode: "30003", errorMessage: "Unreachable destination handset",
    });
    const [event] = await gw.app.db.ds.query(`SELECT raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);
    expect(event.raw).toMatchObject({ MessageSid: sid, MessageStatus: "undelivered", ErrorCode: "30003" });
    // No fallback channel for this app: nothing else is queued.
    expect((await verification(id)).deliveries).toHaveLength(1);
  });

  it("falls back SMS → VOICE once when the SMS is reported undelivered; the code read out verifies", async () => {
    const to = "+14155550304";
    const { id, sid } = await sentSms(to, fallbackApp.key);
    const undelivered = params(sid, to, "undelivered", { ErrorCode: "30003" });
    // The same callback twice at once (vendors retry): one fallback, not two.
    const answers = await Promise.all([post(undelivered), post(undelivered)]);
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    const call = await vendors.twilio.waitForMessage((m) => m.to === to && m.kind === "call");
    const v = await eventually(async () => {
      const now = await verification(id, fallbackApp.key);
      return now.deliveries.length === 2 && now.deliveries[1].status === "SENT" ? now : undefined;
    }, "the VOICE fallback to be sent");
    expect(v.deliveries.map((d: { channel: string; status: string }) => [d.channel, d.status])).toEqual([["SMS", "UNDELIVERED"], ["VOICE", "SENT"]]);
    const [row] = await gw.app.db.ds.query(`SELECT fallback_of FROM deliveries WHERE id = $1`, [v.deliveries[1].id]);
    expect(row.fallback_of).toBe(v.deliveries[0].id);
    const code = extractCode(call.twiml!.replace(/<[^>]+>/g, " "));
    const ok = await gql(gw.url, fallbackApp.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect(vendors.twilio.messages.filter((m) => m.to === to && m.kind === "call")).toHaveLength(1);
  });

  it("falls back SMS → VOICE when Twilio refuses the SMS for good (21614: not a mobile number)", async () => {
    const to = "+14155550305";
    vendors.twilio.failNext(1, { status: 400, code: 21614, message: "'To' number is not a valid mobile number" });
    const r = await gql(gw.url, fallbackApp.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } });
    const call = await vendors.twilio.waitForMessage((m) => m.to === to && m.kind === "call");
    expect(vendors.twilio.messages.filter((m) => m.to === to && m.kind === "sms")).toHaveLength(0);
    const v = await eventually(async () => {
      const now = await verification(r.data.requestOtp.id, fallbackApp.key);
      return now.deliveries[1]?.status === "SENT" ? now : undefined;
    }, "the fallback call");
    expect(v.deliveries[0]).toMatchObject({ channel: "SMS", status: "FAILED", errorCode: "21614" });
    expect(v.deliveries[1]).toMatchObject({ channel: "VOICE", provider: "twilio" });
    expect(call.twiml).toContain("<Say");
  });

  it("does not fall back once the verification is no longer pending", async () => {
    const to = "+14155550306";
    const { id, sid, sms } = await sentSms(to, fallbackApp.key);
    expect((await gql(gw.url, fallbackApp.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body!) } })).data.verifyOtp.status).toBe("APPROVED");
    expect((await post(params(sid, to, "undelivered", { ErrorCode: "30003" }))).status).toBe(204);
    const rows = await gw.app.db.ds.query(`SELECT channel, status FROM deliveries WHERE verification_id = $1`, [id]);
    expect(rows).toEqual([{ channel: "SMS", status: "UNDELIVERED" }]);
  });
});

/**
 * The race where Twilio's callback overtakes the worker: it arrives while the worker is still
 * waiting for Twilio's HTTP answer, so no delivery carries the message id yet. A provider
 * that posts the signed callback itself before returning makes the race certain.
 */
describe("a status callback that arrives before the message id is recorded", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  const sids: string[] = [];

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio"] });
    const webhook = `http://127.0.0.1:${vendors.port}/webhooks/twilio/status`;
    const racing: Provider = {
      name: "twilio",
      channels: [Channel.SMS],
      async send(m: OutboundMessage) {
        const sid = "SM" + randomBytes(16).toString("hex");
        sids.push(sid);
        const p = { AccountSid: TWILIO_SID, MessageSid: sid, SmsSid: sid, MessageStatus: "delivered", SmsStatus: "delivered", To: m.to, From: TWILIO_FROM };
        const answer = await httpPost(webhook, { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signTwilioRequest(TWILIO_TOKEN, webhook, p) }, new URLSearchParams(p).toString());
        if (answer.status !== 204) throw new Error(`callback answered ${answer.status}`);
        return { providerMessageId: sid };
      },
    };
    gw = await startGateway({ env: vendors.env, providers: [racing] });
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  it("keeps the callback and applies it as soon as the worker records the id", async () => {
    const app = await gw.createApp({ name: "Acme" });
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550310", channel: "SMS" } });
    const id = r.data.requestOtp.id;
    const d = await eventually(async () => {
      const v = (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification;
      return v.deliveries[0].status === "DELIVERED" ? v.deliveries[0] : undefined;
    }, "the early callback to be applied");
    expect(d.provider).toBe("twilio");
    const events = await gw.app.db.ds.query(`SELECT status, source FROM delivery_events WHERE verification_id = $1 ORDER BY id`, [id]);
    expect(events.map((e: { status: string; source: string }) => `${e.source}:${e.status}`)).toEqual(["api:QUEUED", "worker:SENDING", "worker:SENT", "callback:DELIVERED"]);
    expect(await gw.app.db.ds.query(`SELECT 1 FROM early_status_callbacks WHERE provider_message_id = $1`, [sids[0]])).toEqual([]);
  });
});
