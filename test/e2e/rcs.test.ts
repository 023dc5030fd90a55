import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { httpPost } from "../fakes/fake-http";
import { signTwilioRequest } from "../fakes/twilio-fake";
import { AdminClient, PROVIDERS, TIMELINE, createStaff } from "../helpers/admin";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { startFails } from "../helpers/start-fails";
import { newMessagingServiceSid } from "../fakes/twilio-rcs";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { TWILIO_RCS_POOL_NUMBER, TWILIO_RCS_SENDER, VONAGE_RCS_AGENT, startRcsVendors, type RcsVendors } from "../helpers/rcs";
import { FAST_RETRY, SLOW_BREAKER, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, VONAGE_SIGNATURE_SECRET } from "../helpers/vendors";

/**
 * RCS through Twilio (a Messaging Service with an RCS sender) and Vonage (Messages API,
 * `channel: rcs`), the real SDKs against the stand-ins, on one gateway: delivery up to `read`,
 * Twilio's own SMS fallback recorded as such, a device without RCS failing permanently so the
 * app's SMS fallback moves on, failover between the vendors, forged callbacks refused, and what
 * SUPPORT sees.
 */
describe("RCS through Twilio and Vonage", () => {
  let vendors: RcsVendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let fallbackApp: { id: string; key: string };

  beforeAll(async () => {
    vendors = await startRcsVendors();
    gw = await startGateway({ env: vendors.env, retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
    fallbackApp = await gw.createApp({ name: "Acme Fallback", maxSends: 50, settings: { fallbackChannel: "SMS" } });
  });
  afterEach(() => {
    vendors.twilio.clear();
    vendors.vonage.whatsapp!.clear();
    vendors.service.smsSenders = [];
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const rcs = () => vendors.vonage.whatsapp!;
  const request = (destination: string, key = app.key) => gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "RCS" } });
  const deliveries = async (id: string, key = app.key) => (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification.deliveries;
  const until = (id: string, pred: (ds: any[]) => boolean, what: string, key = app.key) =>
    eventually(async () => {
      const ds = await deliveries(id, key);
      return pred(ds) ? ds : undefined;
    }, what);
  const attempts = (id: string) =>
    gw.app.db.ds.query(`SELECT a.provider, a.outcome, a.error_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`, [id]);
  const rows = (id: string) => gw.app.db.ds.query(`SELECT channel, status, sent_as, error_code FROM deliveries WHERE verification_id = $1 ORDER BY created_at`, [id]);
  const events = (id: string) => gw.app.db.ds.query(`SELECT status, source, error_code FROM delivery_events WHERE verification_id = $1 ORDER BY id`, [id]);
  const verify = async (id: string, code: string, key = app.key) => (await gql(gw.url, key, VERIFY_OTP, { input: { verificationId: id, code } })).data.verifyOtp;

  it("orders RCS senders Twilio, then Vonage, each vendor one provider (one breaker) across its channels", () => {
    expect(gw.app.services.registry.forChannel("RCS" as never).map((p) => p.name)).toEqual(["twilio", "vonage"]);
    const health = Object.fromEntries(gw.app.services.registry.providerHealth().map((h) => [h.provider, [...h.channels].sort()]));
    expect(health.twilio).toEqual(["RCS", "SMS", "VOICE"]);
    expect(health.vonage).toEqual(["RCS", "SMS"]);
  });

  it("refuses to start with a Messaging Service the account doesn't have, naming the variable", async () => {
    const unknown = await startFails({ ...vendors.env, TWILIO_RCS_MESSAGING_SERVICE_SID: newMessagingServiceSid() });
    expect(unknown.message).toMatch(/TWILIO_RCS_MESSAGING_SERVICE_SID: Twilio RCS check failed: Messaging Service MG[0-9a-f]{32} not found on this account/);
    expect(vendors.twilio.messages).toEqual([]);
  });

  it("Twilio: the Messaging Service sends our text as RCS from the agent; callbacks up to `read` make it DELIVERED; the token says rcs", async () => {
    const r = await request("+447911124001");
    expect(r.errors).toBeUndefined();
    expect(r.data.requestOtp).toMatchObject({ channel: "RCS", to: "+44******4001", deliveries: [{ channel: "RCS", provider: "twilio" }] });
    const id = r.data.requestOtp.id;
    const msg = await vendors.twilio.waitForMessage((m) => m.to === "+447911124001");
    expect(msg).toMatchObject({ kind: "rcs", from: TWILIO_RCS_SENDER, messagingServiceSid: vendors.service.sid });
    expect(msg.body).toMatch(/^\d{6} is your Acme verification code\. It expires in \d+ minutes\./);
    expect(msg.body).not.toMatch(/https?:|\*/);
    await vendors.twilio.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus === "read");
    expect((await until(id, (ds) => ds[0].status === "DELIVERED", "the read receipt"))[0]).toMatchObject({ channel: "RCS", provider: "twilio" });
    expect(await rows(id)).toEqual([{ channel: "RCS", status: "DELIVERED", sent_as: null, error_code: null }]);
    const ok = await verify(id, extractCode(msg.body!));
    expect(ok.status).toBe("APPROVED");
    expect(decodeJwt(ok.token)).toMatchObject({ sub: id, amr: ["otp", "rcs"], phone_number: "+447911124001" });
  });

  it("Twilio's own SMS fallback (a device without RCS, SMS senders in the pool) is recorded: delivered, sent as SMS, on the timeline", async () => {
    vendors.service.smsSenders = [TWILIO_RCS_POOL_NUMBER];
    vendors.twilio.setRcsCapable("+447911124002", false);
    const id = (await request("+447911124002")).data.requestOtp.id;
    const msg = await vendors.twilio.waitForMessage((m) => m.to === "+447911124002");
    expect(msg).toMatchObject({ kind: "sms", from: TWILIO_RCS_POOL_NUMBER, fellBackToSms: true });
    await vendors.twilio.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus === "delivered");
    await until(id, (ds) => ds[0].status === "DELIVERED", "the SMS fallback's receipt");
    // One delivery (Twilio's fallback is not the gateway's): RCS by request, SMS by what Twilio reported.
    expect(await rows(id)).toEqual([{ channel: "RCS", status: "DELIVERED", sent_as: "SMS", error_code: null }]);
    await createStaff(gw, "admin-rcs@example.com", "ADMIN");
    const admin = await AdminClient.signedIn(gw.url, "admin-rcs@example.com");
    const timeline = (await admin.gql(TIMELINE, { id })).data.verification.timeline;
    expect(timeline.filter((e: any) => e.kind === "STATUS_CALLBACK").map((e: any) => e.summary)).toContain(
      "twilio reported delivered — sent as SMS by twilio's own fallback (the device can't receive RCS)");
    expect((await verify(id, extractCode(msg.body!))).status).toBe("APPROVED");
  });

  it("Twilio, a device without RCS and no SMS in the pool: 63106 fails the delivery for good, and the app's SMS fallback sends the same code", async () => {
    vendors.twilio.setRcsCapable("+447911124003", false);
    const id = (await request("+447911124003", fallbackApp.key)).data.requestOtp.id;
    const first = await vendors.twilio.waitForMessage((m) => m.to === "+447911124003");
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+447911124003" && m.from === TWILIO_FROM);
    expect(extractCode(sms.body!)).toBe(extractCode(first.body!));
    const ds = await until(id, (x) => x.length === 2 && ["SENT", "DELIVERED"].includes(x[1].status), "the SMS fallback", fallbackApp.key);
    expect(ds.map((d: any) => [d.channel, d.provider, d.status, d.errorCode])).toEqual([["RCS", "twilio", "FAILED", "63106"], ["SMS", "twilio", ds[1].status, null]]);
    // A permanent failure: no retry, no other RCS vendor.
    expect((await attempts(id)).filter((a: any) => a.provider === "vonage")).toEqual([]);
    expect(rcs().requests).toBe(0);
    expect((await verify(id, extractCode(sms.body!), fallbackApp.key)).status).toBe("APPROVED");
  });

  it("fails over from Twilio (its Messaging Service can't send: 21704) to Vonage's RCS agent at once; Vonage's callbacks make it DELIVERED", async () => {
    vendors.twilio.failNext(1, { status: 400, code: 21704, message: "The Messaging Service contains no phone numbers" });
    const id = (await request("+447911124004")).data.requestOtp.id;
    const msg = await rcs().waitForMessage((m) => m.to === "447911124004");
    expect(msg).toMatchObject({ channel: "rcs", from: VONAGE_RCS_AGENT, auth: "jwt", ttl: 600 });
    expect(msg.text).toMatch(/^\d{6} is your Acme verification code/);
    await rcs().waitForCallback((c) => c.body.message_uuid === msg.messageUuid && c.body.status === "read" && c.body.channel === "rcs");
    await until(id, (ds) => ds[0].status === "DELIVERED", "Vonage's read receipt");
    expect((await attempts(id)).map((a: any) => [a.provider, a.outcome, a.error_code])).toEqual([["twilio", "FAILOVER", "21704"], ["vonage", "SENT", null]]);
    expect(await rows(id)).toEqual([{ channel: "RCS", status: "DELIVERED", sent_as: null, error_code: null }]);
    expect((await verify(id, extractCode(msg.text))).status).toBe("APPROVED");
  });

  it("Vonage, a device without RCS: `rejected` fails the delivery for good, and the app's SMS fallback moves on", async () => {
    vendors.twilio.failNext(1, { status: 400, code: 21704, message: "The Messaging Service contains no phone numbers" });
    rcs().setRcsCapable("447911124005", false);
    const id = (await request("+447911124005", fallbackApp.key)).data.requestOtp.id;
    const msg = await rcs().waitForMessage((m) => m.to === "447911124005");
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+447911124005" && m.kind === "sms");
    expect(extractCode(sms.body!)).toBe(extractCode(msg.text));
    const ds = await until(id, (x) => x.length === 2 && ["SENT", "DELIVERED"].includes(x[1].status), "the SMS fallback", fallbackApp.key);
    expect(ds.map((d: any) => [d.channel, d.provider, d.status, d.errorCode])).toEqual([["RCS", "vonage", "FAILED", "1300"], ["SMS", "twilio", ds[1].status, null]]);
  });

  it("counts RCS sends as paid: the daily spend ceiling refuses the next one (RATE_LIMITED) and records its block", async () => {
    const capped = await gw.createApp({ name: "Capped", settings: { limits: { spendCeiling: { paidPerDay: 1, emailPerDay: 5 } } } });
    expect((await request("+447911124009", capped.key)).errors).toBeUndefined();
    const refused = await request("+447911124010", capped.key);
    expect(refused.errors![0].extensions!.code).toBe("RATE_LIMITED");
    const blocks = await gw.app.db.ds.query(`SELECT rule, hits, "limit", key_masked FROM rate_limit_blocks WHERE app_id = $1`, [capped.id]);
    expect(blocks).toEqual([{ rule: "spend_ceiling_paid", hits: 2, limit: 1, key_masked: "Capped: paid phone channels" }]);
    expect(vendors.twilio.messages.filter((m) => m.to === "+447911124010")).toEqual([]);
  });

  it("refuses forged Twilio and Vonage callbacks (wrong key, stale, tampered) with 403 and changes nothing", async () => {
    // A Twilio RCS delivery, finished; then "undelivered, sent as SMS" forgeries.
    const tid = (await request("+447911124006")).data.requestOtp.id;
    const tmsg = await vendors.twilio.waitForMessage((m) => m.to === "+447911124006");
    await vendors.twilio.waitForCallback((c) => c.params.MessageSid === tmsg.sid && c.params.MessageStatus === "read");
    await until(tid, (ds) => ds[0].status === "DELIVERED", "the genuine callbacks");
    const tBefore = [await events(tid), await rows(tid)];
    const url = `${gw.env.PUBLIC_URL}/webhooks/twilio/status`;
    const params = { AccountSid: TWILIO_SID, MessageSid: tmsg.sid, MessageStatus: "undelivered", ErrorCode: "30003", To: tmsg.to, From: TWILIO_RCS_POOL_NUMBER };
    const other = signTwilioRequest(TWILIO_TOKEN, url, { ...params, MessageStatus: "sent" });
    for (const sig of [undefined, signTwilioRequest("not-the-token", url, params), other]) {
      const res = await httpPost(url, { "Content-Type": "application/x-www-form-urlencoded", ...(sig && { "X-Twilio-Signature": sig }) }, new URLSearchParams(params).toString());
      expect(res.status).toBe(403);
    }
    expect([await events(tid), await rows(tid)]).toEqual(tBefore);

    // A Vonage RCS delivery still in flight (its callbacks held: the handset never reports).
    vendors.twilio.failNext(1, { status: 400, code: 21704, message: "no numbers" });
    rcs().setOutcome("447911124007", "submitted");
    const vid = (await request("+447911124007")).data.requestOtp.id;
    const vmsg = await rcs().waitForMessage((m) => m.to === "447911124007");
    await rcs().waitForCallback((c) => c.body.message_uuid === vmsg.messageUuid);
    await until(vid, (ds) => ds[0].status === "SENT" && ds[0].provider === "vonage", "Vonage's submitted callback");
    const vBefore = [await events(vid), await rows(vid)];
    const body = { message_uuid: vmsg.messageUuid, to: vmsg.to, from: vmsg.from, timestamp: new Date().toISOString(), status: "rejected", channel: "rcs",
      error: { type: "https://developer.vonage.com/api-errors/messages#1300", title: 1300, detail: "forged" } };
    const vurl = `${gw.env.PUBLIC_URL}/webhooks/vonage/status`;
    const wrongKey = await rcs().signedCallback(body, { secret: `${VONAGE_SIGNATURE_SECRET}-not` });
    const stale = await rcs().signedCallback(body, { iatSeconds: Math.floor(Date.now() / 1000) - 600 });
    const genuine = await rcs().signedCallback({ ...body, status: "delivered" });
    for (const [token, text] of [[wrongKey.token, wrongKey.text], [stale.token, stale.text], [genuine.token, JSON.stringify(body)]]) {
      const res = await httpPost(vurl, { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, text);
      expect(res.status).toBe(403);
    }
    expect([await events(vid), await rows(vid)]).toEqual(vBefore);
  });

  it("SUPPORT sees masked numbers on RCS timelines (the fallback named, the number not), and the providers page lists RCS per vendor", async () => {
    vendors.service.smsSenders = [TWILIO_RCS_POOL_NUMBER];
    vendors.twilio.setRcsCapable("+447911124008", false);
    const id = (await request("+447911124008")).data.requestOtp.id;
    await until(id, (ds) => ds[0].status === "DELIVERED", "the SMS fallback's receipt");
    await createStaff(gw, "agent-rcs@example.com", "SUPPORT");
    const support = await AdminClient.signedIn(gw.url, "agent-rcs@example.com");
    const v = (await support.gql(TIMELINE, { id })).data.verification;
    const text = JSON.stringify(v);
    expect(text).not.toContain("7911124008");
    expect(text).not.toContain(TWILIO_RCS_POOL_NUMBER.slice(1));
    expect(v.destination).toBe("+44******4008");
    expect(text).toContain("sent as SMS by twilio's own fallback");
    // The dashboard's delivery log says it too ("RCS → SMS"), with the number masked.
    const log = (await support.gql(`{ deliveryAttempts(filter: { channel: RCS }, perPage: 100) { data { verificationId channel sentAs destination } } }`)).data.deliveryAttempts.data;
    expect(log.find((a: any) => a.verificationId === id)).toEqual({ verificationId: id, channel: "RCS", sentAs: "SMS", destination: "+44******4008" });
    expect(log.every((a: any) => [null, "SMS"].includes(a.sentAs) && /^\+44\*{6}\d{4}$/.test(a.destination))).toBe(true);
    // Only Twilio's own fallbacks say SMS: the Vonage and plain-RCS hand-offs don't.
    expect(log.filter((a: any) => a.sentAs === "SMS").length).toBeLessThan(log.length);
    const providers = (await support.gql(PROVIDERS)).data.providers.data;
    const twilio = providers.find((r: any) => r.id === "twilio:RCS");
    const vonage = providers.find((r: any) => r.id === "vonage:RCS");
    expect(twilio).toMatchObject({ provider: "twilio", channel: "RCS", position: 0 });
    expect(vonage).toMatchObject({ provider: "vonage", channel: "RCS", position: 1 });
    expect(twilio.hour.failed).toBeGreaterThanOrEqual(1);
    expect(vonage.hour.sent).toBeGreaterThanOrEqual(1);
    expect(twilio.topErrors.find((e: any) => e.code === "21704").explanation).toMatch(/sender pool is empty/);
  });
});
