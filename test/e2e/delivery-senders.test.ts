import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, gql } from "../helpers/graphql-client";
import { startVendors, type Vendors } from "../helpers/vendors";

/**
 * Per-country senders through the real SDKs: TWILIO_FROM names a long code for the US and a
 * sender id for the UK only; VONAGE_FROM has a * rule. A French number has no Twilio sender, so
 * Twilio fails it over (NO_SENDER) to Vonage at once.
 */
describe("per-country senders", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio", "vonage"] });
    gw = await startGateway({
      env: { ...vendors.env, TWILIO_FROM: "US:+15005550006,GB:AcmeID", VONAGE_FROM: "GB:AcmeUK,*:+15557654321", SMS_PROVIDERS: "twilio,vonage" },
    });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const request = async (destination: string) => {
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel: "SMS" } });
    expect(r.errors).toBeUndefined();
    return r.data.requestOtp.id as string;
  };

  it("sends a US number from the US long code and a UK number from the UK sender id", async () => {
    await request("+14155550801");
    await request("+447400123801");
    expect((await vendors.twilio.waitForMessage((m) => m.to === "+14155550801")).from).toBe("+15005550006");
    expect((await vendors.twilio.waitForMessage((m) => m.to === "+447400123801")).from).toBe("AcmeID");
  });

  it("a country with no sender at one vendor fails over to the next, whose * rule covers it", async () => {
    const id = await request("+33612345678");
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "33612345678");
    expect(sms.from).toBe("+15557654321");
    const d = await eventually(async () => {
      const x = (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
      return x.status === "SENT" || x.status === "DELIVERED" ? x : undefined;
    }, "the French delivery to be sent");
    expect(d.provider).toBe("vonage");
    const rows = await gw.app.db.ds.query(
      `SELECT a.provider, a.outcome, a.error_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`, [id]);
    expect(rows).toEqual([{ provider: "twilio", outcome: "FAILOVER", error_code: "NO_SENDER" }, { provider: "vonage", outcome: "SENT", error_code: null }]);
    expect(vendors.twilio.messages.some((m) => m.to === "+33612345678")).toBe(false);
  });
});
