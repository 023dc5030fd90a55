import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { explainError } from "../../server/src/admin/error-explanations";
import { ConfigError } from "../../server/src/config/config";
import { MessageBirdFake } from "../fakes/messagebird-fake";
import { AdminClient, PROVIDERS, TIMELINE, createStaff } from "../helpers/admin";
import { httpPost } from "../fakes/fake-http";
import { eventually, extractCode } from "../helpers/codes";
import { freePort, startGateway, type TestGateway } from "../helpers/gateway";
import { VERIFY_OTP, gql } from "../helpers/graphql-client";
import { MESSAGEBIRD_KEY, MESSAGEBIRD_SIGNING_KEY, messagebirdEnv } from "../helpers/more-vendors";
import { deliveryProbe } from "../helpers/delivery-probe";
import { startFails } from "../helpers/start-fails";
import { FAST_RETRY, SLOW_BREAKER, startVendors, type Vendors } from "../helpers/vendors";

/** SMS and voice through MessageBird's REST API (fetch) against the stand-in, with JWT-signed status reports. */
describe("delivery through MessageBird", () => {
  let mb: MessageBirdFake;
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let reportUrl: string;

  beforeAll(async () => {
    mb = await MessageBirdFake.start({ accessKey: MESSAGEBIRD_KEY, signingKey: MESSAGEBIRD_SIGNING_KEY });
    vendors = await startVendors({ only: ["vonage"] });
    gw = await startGateway({ env: { ...vendors.env, ...messagebirdEnv(mb), SMS_PROVIDERS: "messagebird,vonage", VOICE_PROVIDERS: "messagebird" }, retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
    reportUrl = `${gw.env.PUBLIC_URL}/webhooks/messagebird/status`;
  });
  afterEach(() => {
    mb.clear();
    vendors.vonage.clear();
  });
  afterAll(async () => {
    await gw?.stop();
    await mb?.stop();
    await vendors?.stop();
  });

  const { request, delivery, reaches, attempts } = deliveryProbe(() => ({ gw, key: app.key }));
  it("sends the SMS from the country's originator with its report URL; the code verifies; the signed report makes it DELIVERED", async () => {
    const id = await request("+447400123951");
    const sms = await mb.waitForMessage((m) => m.recipient === "447400123951");
    expect(sms).toMatchObject({ kind: "sms", originator: "AcmeID", reportUrl, reference: (await delivery(id)).id, datacoding: "auto" });
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.body) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect((await mb.waitForReport((r) => r.url.includes(sms.id))).status).toBe(204);
    expect(await reaches(id, ["DELIVERED"])).toMatchObject({ provider: "messagebird" });
    const [event] = await gw.app.db.ds.query(`SELECT raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);
    expect(event.raw).toMatchObject({ id: sms.id, status: "delivered", recipient: "447400123951" });
  });

  it("a US number gets the * originator; a voice message speaks the code in the locale's voice", async () => {
    await request("+14155550951");
    expect((await mb.waitForMessage((m) => m.recipient === "14155550951")).originator).toBe("+15557654321");
    const id = await request("+14155550952", "VOICE", "pt-BR");
    const call = await mb.waitForMessage((m) => m.recipient === "14155550952");
    expect(call).toMatchObject({ kind: "voice", language: "pt-br" });
    expect(extractCode(call.body)).toMatch(/^\d{6}$/);
    expect(await reaches(id, ["DELIVERED"])).toMatchObject({ provider: "messagebird", channel: "VOICE" });
  });

  it("a failed report carries MessageBird's statusErrorCode, explained on the timeline", async () => {
    mb.setOutcome("+14155550953", { status: "delivery_failed", statusErrorCode: "27", statusReason: "absent subscriber" });
    const id = await request("+14155550953");
    expect(await reaches(id, ["FAILED"])).toMatchObject({ errorCode: "27", errorMessage: "Absent subscriber" });
    expect(explainError("messagebird", "27", "callback")).toMatch(/handset is off/);
    expect(explainError("messagebird", "2")).toMatch(/MESSAGEBIRD_ACCESS_KEY/);
  });

  it("an invalid recipient (422, code 9) is permanent: FAILED, no retry, no failover", async () => {
    mb.failNext(1, { status: 422, code: 9, description: "no (correct) recipients found", parameter: "recipients" });
    const id = await request("+14155550954");
    expect(await reaches(id, ["FAILED"])).toMatchObject({ provider: "messagebird", errorCode: "9" });
    expect((await attempts(id)).map((a) => a.outcome)).toEqual(["FAILED"]);
    expect(vendors.vonage.messages).toHaveLength(0);
  });

  it("a 500 is retried on MessageBird, then it sends", async () => {
    mb.failNext(1, { status: 500, code: 99, description: "Internal error" });
    const id = await request("+14155550955");
    expect(await reaches(id, ["SENT", "DELIVERED"])).toMatchObject({ provider: "messagebird" });
    expect((await attempts(id)).map((a) => [a.outcome, a.error_code])).toEqual([["RETRY", "99"], ["SENT", null]]);
  });

  it("fails over to Vonage when MessageBird is out of balance (code 25), at once", async () => {
    mb.setOutage({ status: 402, code: 25, description: "Not enough balance" });
    const id = await request("+14155550956");
    expect(await reaches(id, ["SENT", "DELIVERED"])).toMatchObject({ provider: "vonage" });
    expect((await attempts(id)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["messagebird", "FAILOVER", "25"], ["vonage", "SENT", null]]);
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "14155550956");
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.text!) } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("refuses forged, unsigned, tampered and expired reports with 403, changing nothing", async () => {
    mb.setOutcome("+14155550957", null);
    const id = await request("+14155550957");
    const sms = await mb.waitForMessage((m) => m.recipient === "14155550957");
    await reaches(id, ["SENT"]);
    const url = `${reportUrl}?id=${sms.id}&recipient=14155550957&status=delivery_failed&statusErrorCode=1`;
    const other = `${reportUrl}?id=${sms.id}&recipient=14155550957&status=delivered`;
    for (const headers of [
      { "MessageBird-Signature-JWT": await mb.sign(url, "", { key: "not-the-signing-key" }) }, // forged
      {}, // unsigned
      { "MessageBird-Signature-JWT": await mb.sign(other) }, // signed for another URL
      { "MessageBird-Signature-JWT": await mb.sign(url, "", { at: new Date(Date.now() - 6 * 60_000) }) }, // expired
    ]) {
      expect((await httpPost(url, headers, "", "GET")).status).toBe(403);
    }
    // A signed URL with a body the signature doesn't cover.
    expect((await httpPost(url, { "MessageBird-Signature-JWT": await mb.sign(url), "content-type": "application/json" }, JSON.stringify({ status: "delivered" }))).status).toBe(403);
    expect(await delivery(id)).toMatchObject({ status: "SENT", errorCode: null });
    expect(await gw.app.db.ds.query(`SELECT 1 FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id])).toEqual([]);
    expect((await httpPost(url, { "MessageBird-Signature-JWT": await mb.sign(url) }, "", "GET")).status).toBe(204);
    expect(await delivery(id)).toMatchObject({ status: "FAILED", errorCode: "1" });
  });

  it("is on the dashboard's providers page (failover position, breaker, explained top errors), its timeline and /metrics", async () => {
    await eventually(async () => ((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE status IN ('QUEUED', 'SENDING')`))[0].n === 0 ? true : undefined), "every delivery handed off", 15_000);
    await createStaff(gw, "agent@example.com", "SUPPORT");
    const support = await AdminClient.signedIn(gw.url, "agent@example.com");
    const rows = (await support.gql(PROVIDERS)).data.providers.data;
    const sms = rows.find((p: any) => p.id === "messagebird:SMS");
    expect(sms).toMatchObject({ provider: "messagebird", channel: "SMS", position: 0, breakerState: "closed" });
    expect(rows.find((p: any) => p.id === "messagebird:VOICE")).toMatchObject({ position: 0 });
    expect(rows.find((p: any) => p.id === "vonage:SMS")).toMatchObject({ position: 1 });
    expect(sms.hour.attempts).toBeGreaterThan(0);
    const balance = sms.topErrors.find((e: any) => e.code === "25");
    expect(balance.explanation).toMatch(/balance is used up/);
    // The failed report of the earlier test, on that verification's timeline, in plain language.
    const [failed] = await gw.app.db.ds.query(`SELECT verification_id FROM delivery_events WHERE provider = 'messagebird' AND error_code = '27' LIMIT 1`);
    const timeline = (await support.gql(TIMELINE, { id: failed.verification_id })).data.verification.timeline;
    expect(timeline.find((t: any) => t.errorCode === "27")).toMatchObject({ provider: "messagebird", errorExplanation: expect.stringMatching(/handset is off/) });
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(/otp_provider_circuit_state\{provider="messagebird",state="closed"\} 1/);
  });
});

describe("MessageBird at start-up", () => {
  it("refuses to start with an access key MessageBird rejects (exit 2, naming the variable, not the key)", async () => {
    const mb = await MessageBirdFake.start({ accessKey: MESSAGEBIRD_KEY, signingKey: MESSAGEBIRD_SIGNING_KEY });
    try {
      const err = await startFails(messagebirdEnv(mb, { MESSAGEBIRD_ACCESS_KEY: "live_wrong_access_key" }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/MESSAGEBIRD_ACCESS_KEY: MessageBird account check failed: 2 Request not allowed/);
      expect(err.message).not.toContain("live_wrong_access_key");
      expect((await startFails(messagebirdEnv(mb, { MESSAGEBIRD_ORIGINATOR: "GB:AcmeID,XX:Other" }))).message).toMatch(/MESSAGEBIRD_ORIGINATOR entry "XX:Other"/);
      expect((await startFails(messagebirdEnv(mb, { NODE_ENV: "production", MESSAGEBIRD_SIGNING_KEY: "" }))).message).toMatch(/MESSAGEBIRD_SIGNING_KEY is required/);
    } finally {
      await mb.stop();
    }
  });

  it("starts with a warning and an open breaker when MessageBird can't be reached", async () => {
    const gw = await startGateway({ env: messagebirdEnv({ url: `http://127.0.0.1:${await freePort()}` }) });
    try {
      const warning = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "provider unreachable at start-up; starting anyway");
      expect(warning).toMatchObject({ provider: "messagebird", errorCode: "NETWORK" });
      expect(gw.app.services.registry.providerHealth().find((h) => h.provider === "messagebird")).toMatchObject({ state: "open" });
    } finally {
      await gw.stop();
    }
  });
});
