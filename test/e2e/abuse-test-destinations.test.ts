import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { requestOtp, resendOtp, verifyOtp } from "../helpers/abuse";
import { TwilioFake } from "../fakes/twilio-fake";
import type { DeliveryEventMessage } from "../../server/src/events/event-bus";

const ACCOUNT_SID = "AC00000000000000000000000000000055";
const AUTH_TOKEN = "twilio-test-auth-token-test-destinations";

/**
 * Test destinations: a fixed code, no vendor call, yet the whole pipeline runs (worker,
 * attempts, delivery events, the app's fallback channel), including forced failures.
 */
describe("abuse protection: test destinations", () => {
  let twilio: TwilioFake;
  let gw: TestGateway;
  let app: { id: string; key: string };
  const events: DeliveryEventMessage[] = [];
  let unsubscribe: () => void;

  beforeAll(async () => {
    twilio = await TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    gw = await startGateway({ env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url } });
    app = await gw.createApp({
      name: "QA", resendCooldownSeconds: 0,
      settings: {
        fallbackChannel: "VOICE",
        testDestinations: [
          { destination: "+1 (415) 555-0500", code: "123456" },
          { destination: "+14155550501", code: "654321", outcome: "FAILED" },
          { destination: "+14155550502", code: "111111", outcome: "UNDELIVERED" },
          { destination: "QA@Example.com", code: "222222" },
        ],
      },
    });
    unsubscribe = gw.app.services.deliveryEvents.subscribeAll((e) => void events.push(e));
  });
  afterAll(async () => {
    unsubscribe?.();
    await gw?.stop();
    await twilio?.stop();
  });

  const statusesOf = (verificationId: string, channel?: string) =>
    events.filter((e) => e.verificationId === verificationId && (!channel || e.delivery.channel === channel)).map((e) => e.delivery.status);
  const deliveriesOf = async (id: string) => (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries as Array<Record<string, any>>;

  it("a fixed code, delivered through the test provider with every event published, and no vendor call", async () => {
    const r = await requestOtp(gw, app.key, "+14155550500");
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    expect(v.deliveries[0]).toMatchObject({ provider: "test", status: "QUEUED" });
    await eventually(() => (statusesOf(v.id).includes("DELIVERED") ? true : undefined), "DELIVERED");
    expect(statusesOf(v.id)).toEqual(["QUEUED", "SENDING", "SENT", "DELIVERED"]);
    const [attempt] = await gw.app.db.ds.query(`SELECT a.provider, a.outcome FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1`, [v.id]);
    expect(attempt).toEqual({ provider: "test", outcome: "SENT" });
    expect(twilio.messages).toEqual([]);
    expect((await verifyOtp(gw, app.key, { verificationId: v.id, code: "123456" })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("the same fixed code after a resend, and for an e-mail test destination in any case", async () => {
    const id = (await requestOtp(gw, app.key, "+14155550500")).data.requestOtp.id;
    // Delivered first: a resend while the first message is still queued replaces it unsent.
    await eventually(async () => ((await deliveriesOf(id)).some((d) => d.status === "DELIVERED") ? true : undefined), "the first delivery DELIVERED");
    expect((await resendOtp(gw, app.key, id, "VOICE")).errors).toBeUndefined();
    await eventually(async () => ((await deliveriesOf(id)).filter((d) => d.status === "DELIVERED").length === 2 ? true : undefined), "both deliveries DELIVERED");
    expect((await verifyOtp(gw, app.key, { verificationId: id, code: "123456" })).data.verifyOtp.status).toBe("APPROVED");

    const mail = (await requestOtp(gw, app.key, "qa@example.com", { channel: "EMAIL" })).data.requestOtp;
    expect(mail.deliveries[0].provider).toBe("test");
    expect((await verifyOtp(gw, app.key, { destination: "QA@example.com", code: "222222" })).data.verifyOtp.status).toBe("APPROVED");
    expect(twilio.messages).toEqual([]);
  });

  it("a forced FAILED: the delivery fails with TEST_FAILED, and the app's fallback channel runs (also without a vendor)", async () => {
    const id = (await requestOtp(gw, app.key, "+14155550501")).data.requestOtp.id;
    await eventually(() => (statusesOf(id, "VOICE").includes("FAILED") ? true : undefined), "the VOICE fallback to fail too");
    const deliveries = await deliveriesOf(id);
    expect(deliveries.map((d) => [d.channel, d.provider, d.status, d.errorCode])).toEqual([
      ["SMS", "test", "FAILED", "TEST_FAILED"],
      ["VOICE", "test", "FAILED", "TEST_FAILED"],
    ]);
    expect(statusesOf(id, "SMS")).toEqual(["QUEUED", "SENDING", "FAILED"]);
    expect(twilio.messages).toEqual([]);
    // Every delivery failed for good: the verification fails as a real one would (contract "Verification status FAILED").
    expect((await verifyOtp(gw, app.key, { verificationId: id, code: "654321" })).data.verifyOtp).toMatchObject({ status: "FAILED", token: null });
  });

  it("a forced UNDELIVERED arrives after SENT, as a vendor's callback would, with its error code", async () => {
    const id = (await requestOtp(gw, app.key, "+14155550502")).data.requestOtp.id;
    await eventually(() => (statusesOf(id, "SMS").includes("UNDELIVERED") ? true : undefined), "UNDELIVERED");
    expect(statusesOf(id, "SMS")).toEqual(["QUEUED", "SENDING", "SENT", "UNDELIVERED"]);
    await eventually(async () => ((await deliveriesOf(id)).length === 2 ? true : undefined), "the fallback delivery");
    expect((await deliveriesOf(id))[0]).toMatchObject({ channel: "SMS", status: "UNDELIVERED", errorCode: "TEST_UNDELIVERED" });
    expect(twilio.messages).toEqual([]);
  });

  it("other destinations of the same app go to the vendor with a random code", async () => {
    const v = (await requestOtp(gw, app.key, "+14155550503")).data.requestOtp;
    expect(v.deliveries[0].provider).toBe("twilio");
    const sms = await twilio.waitForMessage((m) => m.to === "+14155550503");
    expect(sms.body).toMatch(/\d{6}/);
  });

  it("bad test destinations are refused when the app is saved", async () => {
    const bad = (testDestinations: unknown) => gw.createApp({ name: "Bad", settings: { testDestinations } as any });
    await expect(bad([{ destination: "+14155550500", code: "1234" }])).rejects.toThrow(/code must be 6 digits/);
    await expect(bad([{ destination: "not a number", code: "123456" }])).rejects.toThrow(/destination/);
    await expect(bad([{ destination: "+14155550500", code: "123456", outcome: "LOST" }])).rejects.toThrow(/outcome/);
    await expect(bad([{ destination: "+14155550500", code: "123456" }, { destination: "+1 415 555 0500", code: "123456" }])).rejects.toThrow(/twice/);
  });

  it("settings can be changed later (app settings), checked the same way", async () => {
    const other = await gw.createApp({ name: "Later" });
    await expect(gw.app.services.apps.updateSettings(other.id, { testDestinations: [{ destination: "+14155550509", code: "12" }] })).rejects.toThrow(/6 digits/);
    await gw.app.services.apps.updateSettings(other.id, { testDestinations: [{ destination: "+1 415 555 0509", code: "999999" }] });
    const v = (await requestOtp(gw, other.key, "+14155550509")).data.requestOtp;
    expect(v.deliveries[0].provider).toBe("test");
    expect((await verifyOtp(gw, other.key, { verificationId: v.id, code: "999999" })).data.verifyOtp.status).toBe("APPROVED");
  });
});
