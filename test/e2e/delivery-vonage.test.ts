import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { httpPost } from "../fakes/fake-http";
import { signVonageParams } from "../fakes/vonage-fake";
import { VONAGE_FROM, VONAGE_KEY, VONAGE_SIGNATURE_SECRET, startVendors, type Vendors } from "../helpers/vendors";

/** SMS through Vonage's SMS API (the official SDK against the stand-in) and its signed delivery receipts. */
describe("delivery through Vonage", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let dlrUrl: string;

  beforeAll(async () => {
    vendors = await startVendors({ only: ["vonage"] });
    gw = await startGateway({ env: vendors.env });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
    dlrUrl = `${gw.env.PUBLIC_URL}/webhooks/vonage/status`;
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const request = (destination: string) => gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel: "SMS" } });
  const deliveryOf = async (id: string) => (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  const sentVia = async (destination: string) => {
    const r = await request(destination);
    const id: string = r.data.requestOtp.id;
    const sms = await vendors.vonage.waitForMessage((m) => m.to === destination.replace("+", ""));
    await eventually(async () => (["SENT", "DELIVERED", "FAILED"].includes((await deliveryOf(id)).status) ? true : undefined), "the hand-off to Vonage");
    return { id, sms };
  };
  const dlr = (messageId: string, status: string, extra: Record<string, string> = {}) => ({
    msisdn: "447911123111", to: VONAGE_FROM, "network-code": "23410", messageId, price: "0.03330000", status,
    scts: "2611252100", "err-code": "0", "api-key": VONAGE_KEY, "message-timestamp": "2026-11-25 21:00:00",
    timestamp: String(Math.floor(Date.now() / 1000)), nonce: "n-" + Math.random(), ...extra,
  });
  const post = (params: Record<string, string>) => httpPost(dlrUrl, { "Content-Type": "application/json" }, JSON.stringify(params));

  it("sends the SMS with its own DLR URL; the code verifies; the signed receipt makes it DELIVERED", async () => {
    const { id, sms } = await sentVia("+447911123101");
    expect(sms).toMatchObject({ from: VONAGE_FROM, callback: dlrUrl, clientRef: (await deliveryOf(id)).id });
    expect(sms.type).toBeUndefined(); // English fits GSM-7
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.text!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");

    const cb = await vendors.vonage.waitForCallback((c) => c.params.messageId === sms.messageId);
    expect(cb.status).toBe(204);
    await eventually(async () => ((await deliveryOf(id)).status === "DELIVERED" ? true : undefined), "the receipt to be applied");
    const [attempt] = await gw.app.db.ds.query(
      `SELECT a.provider, a.provider_message_id, a.outcome FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1`, [id]);
    expect(attempt).toEqual({ provider: "vonage", provider_message_id: sms.messageId, outcome: "SENT" });
    const [event] = await gw.app.db.ds.query(`SELECT raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);
    expect(event.raw).toMatchObject({ messageId: sms.messageId, status: "delivered" });
    expect(event.raw.sig).toBeUndefined();
  });

  it("records a failed receipt with Vonage's err-code on the Delivery", async () => {
    vendors.vonage.setOutcome("+447911123102", { status: "failed", errCode: "6" });
    const { id } = await sentVia("+447911123102");
    await eventually(async () => ((await deliveryOf(id)).status === "FAILED" ? true : undefined), "the failed receipt");
    expect(await deliveryOf(id)).toMatchObject({ provider: "vonage", status: "FAILED", errorCode: "6", errorMessage: "Anti-spam rejection" });
  });

  it("refuses forged and unsigned receipts with 403 and changes nothing", async () => {
    // The stand-in's own receipt says only "accepted" (still SENT), so a forged final status would show.
    vendors.vonage.setOutcome("+447911123103", { status: "accepted", errCode: "0" });
    const r = await request("+447911123103");
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "447911123103");
    expect((await vendors.vonage.waitForCallback((c) => c.params.messageId === sms.messageId)).status).toBe(204);
    expect(await deliveryOf(r.data.requestOtp.id)).toMatchObject({ status: "SENT" });
    const unsigned = dlr(sms.messageId, "failed", { "err-code": "6" });
    const forged = { ...unsigned, sig: signVonageParams(unsigned, "not-the-secret") };
    const tampered = { ...dlr(sms.messageId, "delivered") };
    tampered.sig = signVonageParams(tampered, VONAGE_SIGNATURE_SECRET);
    tampered.status = "failed";
    for (const params of [unsigned, forged, tampered]) expect((await post(params)).status).toBe(403);
    expect(await deliveryOf(r.data.requestOtp.id)).toMatchObject({ status: "SENT", errorCode: null });
    const events = await gw.app.db.ds.query(`SELECT 1 FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [r.data.requestOtp.id]);
    expect(events).toHaveLength(0);

    // The genuine receipt, sent by GET as some accounts are configured, is accepted.
    const genuine = dlr(sms.messageId, "delivered");
    genuine.sig = signVonageParams(genuine, VONAGE_SIGNATURE_SECRET);
    const u = new URL(dlrUrl);
    for (const [k, v] of Object.entries(genuine)) u.searchParams.set(k, v);
    expect((await httpPost(u.toString(), {}, "", "GET")).status).toBe(204);
    expect(await deliveryOf(r.data.requestOtp.id)).toMatchObject({ status: "DELIVERED" });
    // A late "accepted" after "delivered" changes nothing.
    const late = dlr(sms.messageId, "accepted");
    late.sig = signVonageParams(late, VONAGE_SIGNATURE_SECRET);
    expect((await post(late)).status).toBe(204);
    expect(await deliveryOf(r.data.requestOtp.id)).toMatchObject({ status: "DELIVERED" });
  });

  it("sends non-GSM text (Hindi) as unicode so it arrives intact", async () => {
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+447911123104", channel: "SMS", locale: "hi" } });
    expect(r.errors).toBeUndefined();
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "447911123104");
    expect(sms.text).toMatch(/[\u0900-\u097F]/);
    expect(sms.type).toBe("unicode");
    expect(extractCode(sms.text!)).toMatch(/^\d{6}$/);
  });
});
