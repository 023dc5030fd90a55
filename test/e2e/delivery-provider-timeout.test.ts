import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { FAST_RETRY, SLOW_BREAKER, startVendors, type Vendors } from "../helpers/vendors";

/**
 * A vendor that takes the request and never answers (the Twilio stand-in hanging): the
 * PROVIDER_TIMEOUT_MS bound ends each attempt, and the delivery is retried and failed over,
 * never left SENDING. Through the real Twilio and Vonage SDKs.
 */
describe("a hanging vendor: PROVIDER_TIMEOUT_MS", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  const TIMEOUT_MS = 700;

  beforeAll(async () => {
    vendors = await startVendors({ only: ["twilio", "vonage"] });
    gw = await startGateway({ env: { ...vendors.env, PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS), SMS_PROVIDERS: "twilio,vonage" }, retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Hang", maxSends: 50 });
  });
  afterEach(() => {
    vendors.twilio.hang(false);
    vendors.twilio.clear();
    vendors.vonage.clear();
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const request = async (to: string) => (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } })).data.requestOtp.id as string;
  const delivery = async (id: string) => (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  const attempts = (id: string): Promise<Array<{ provider: string; outcome: string; error_code: string | null; latency_ms: number }>> =>
    gw.app.db.ds.query(
      `SELECT a.provider, a.outcome, a.error_code, a.latency_ms FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE d.verification_id = $1 ORDER BY a.id`, [id]);

  it("fails over to the next vendor once every attempt on the hanging one has timed out", async () => {
    vendors.twilio.hang(true);
    const id = await request("+14155550501");
    const sms = await vendors.vonage.waitForMessage((m) => m.to === "14155550501", 15_000);
    const d = await eventually(async () => {
      const x = await delivery(id);
      return ["SENT", "DELIVERED"].includes(x.status) ? x : undefined;
    }, "the delivery to settle");
    expect(d.provider).toBe("vonage");
    const tries = await attempts(id);
    const twilio = tries.filter((a) => a.provider === "twilio");
    expect(twilio).toHaveLength(FAST_RETRY.attemptsPerProvider);
    expect(vendors.twilio.hung).toBe(FAST_RETRY.attemptsPerProvider);
    expect(twilio.map((a) => a.outcome)).toEqual([...Array(FAST_RETRY.attemptsPerProvider - 1).fill("RETRY"), "FAILOVER"]);
    // Each one ended by our timeout, not by the vendor: about PROVIDER_TIMEOUT_MS long, never much longer.
    for (const a of twilio) {
      expect(a.latency_ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(a.error_code).toBeTruthy();
    }
    expect(tries.at(-1)).toMatchObject({ provider: "vonage", outcome: "SENT" });
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.text!) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });

  it("a vendor that hangs once is retried on the same vendor, and the code arrives", async () => {
    vendors.twilio.hang(1);
    const id = await request("+14155550502");
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+14155550502", 15_000);
    expect(sms.body).toMatch(/\d{6}/);
    expect(vendors.twilio.hung).toBe(1);
    await eventually(async () => ((await delivery(id)).status === "SENT" || (await delivery(id)).status === "DELIVERED" ? true : undefined), "the delivery to settle");
    expect((await attempts(id)).map((a) => `${a.provider}:${a.outcome}`)).toEqual(["twilio:RETRY", "twilio:SENT"]);
    expect(vendors.vonage.messages).toHaveLength(0);
  });
});
