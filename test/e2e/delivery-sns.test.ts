import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { explainError } from "../../server/src/admin/error-explanations";
import { ConfigError } from "../../server/src/config/config";
import { SnsFake } from "../fakes/sns-fake";
import { httpPost } from "../fakes/fake-http";
import { extractCode } from "../helpers/codes";
import { freePort, startGateway, type TestGateway } from "../helpers/gateway";
import { VERIFY_OTP, gql } from "../helpers/graphql-client";
import { SNS_KEY_ID, SNS_REGION, SNS_SECRET, snsEnv } from "../helpers/more-vendors";
import { deliveryProbe } from "../helpers/delivery-probe";
import { startFails } from "../helpers/start-fails";
import { FAST_RETRY, SLOW_BREAKER, startVendors, type Vendors } from "../helpers/vendors";

/** SMS through AWS SNS Publish: the real @aws-sdk/client-sns, SigV4-signed, against the stand-in. */
describe("delivery through AWS SNS", () => {
  let sns: SnsFake;
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    sns = await SnsFake.start({ region: SNS_REGION, credentials: { [SNS_KEY_ID]: SNS_SECRET } });
    vendors = await startVendors({ only: ["twilio"] });
    gw = await startGateway({ env: { ...vendors.env, ...snsEnv(sns, { AWS_SNS_SENDER_ID: "AcmeOTP", SMS_PROVIDERS: "sns,twilio" }) }, retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
  });
  afterEach(() => {
    sns.clear();
    vendors.twilio.clear();
  });
  afterAll(async () => {
    await gw?.stop();
    await sns?.stop();
    await vendors?.stop();
  });

  const { request, delivery, reaches, attempts } = deliveryProbe(() => ({ gw, key: app.key }));
  it("publishes a transactional SMS with the sender id, signed for the region; the code verifies; the status stays SENT", async () => {
    const id = await request("+447400123901");
    const sms = await sns.waitForPublish((p) => p.phoneNumber === "+447400123901");
    expect(sms).toMatchObject({ accessKeyId: SNS_KEY_ID, region: SNS_REGION });
    expect(sms.attributes).toEqual({ "AWS.SNS.SMS.SMSType": "Transactional", "AWS.SNS.SMS.SenderID": "AcmeOTP" });
    expect(await reaches(id, ["SENT"])).toMatchObject({ provider: "sns", errorCode: null });
    expect((await attempts(id))[0]).toMatchObject({ provider: "sns", outcome: "SENT", provider_message_id: sms.messageId });
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(sms.message) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    // No per-message callbacks at SNS: no route to forge one on, and the delivery stays SENT.
    expect((await httpPost(`${gw.env.PUBLIC_URL}/webhooks/sns/status`, { "content-type": "application/json" }, JSON.stringify({ messageId: sms.messageId, status: "delivered" }))).status).toBe(404);
    expect((await delivery(id)).status).toBe("SENT");
  });

  it("leaves the sender id out where the country doesn't show one (the US)", async () => {
    await request("+14155550901");
    const sms = await sns.waitForPublish((p) => p.phoneNumber === "+14155550901");
    expect(sms.attributes).toEqual({ "AWS.SNS.SMS.SMSType": "Transactional" });
  });

  it("InvalidParameter (the number) is permanent: FAILED with SNS's code, no retry, no failover", async () => {
    sns.failNext(1, { status: 400, code: "InvalidParameter", message: "Invalid parameter: PhoneNumber Reason: not valid to publish to" });
    const id = await request("+14155550902");
    expect(await reaches(id, ["FAILED"])).toMatchObject({ provider: "sns", errorCode: "InvalidParameter" });
    expect((await attempts(id)).map((a: { outcome: string }) => a.outcome)).toEqual(["FAILED"]);
    expect(vendors.twilio.messages).toHaveLength(0);
    expect(explainError("sns", "InvalidParameter")).toMatch(/phone number/);
  });

  it("Throttling is retried on SNS, then it sends", async () => {
    sns.failNext(1, { status: 400, code: "Throttling", message: "Rate exceeded" });
    const id = await request("+14155550903");
    expect(await reaches(id, ["SENT"])).toMatchObject({ provider: "sns" });
    expect((await attempts(id)).map((a: { outcome: string; error_code: string | null }) => [a.outcome, a.error_code])).toEqual([["RETRY", "Throttling"], ["SENT", null]]);
  });

  it("fails over to Twilio (SMS_PROVIDERS=sns,twilio) when SNS keeps failing; AuthorizationError fails over at once", async () => {
    sns.setOutage({ status: 500, code: "InternalError", message: "Internal Error", type: "Receiver" });
    const id = await request("+14155550904");
    expect(await reaches(id, ["SENT", "DELIVERED"])).toMatchObject({ provider: "twilio" });
    expect((await attempts(id)).map((a: { provider: string; outcome: string }) => [a.provider, a.outcome])).toEqual([
      ["sns", "RETRY"], ["sns", "RETRY"], ["sns", "FAILOVER"], ["twilio", "SENT"],
    ]);
    sns.setOutage({ status: 403, code: "AuthorizationError", message: "No quota left for account" });
    const next = await request("+14155550905");
    expect(await reaches(next, ["SENT", "DELIVERED"])).toMatchObject({ provider: "twilio" });
    expect((await attempts(next)).map((a: { provider: string; outcome: string; error_code: string | null }) => [a.provider, a.outcome, a.error_code])).toEqual([
      ["sns", "FAILOVER", "AuthorizationError"], ["twilio", "SENT", null],
    ]);
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+14155550905");
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: next, code: extractCode(sms.body!) } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("is on the providers page and in /metrics with its breaker", async () => {
    expect(gw.app.services.registry.providerHealth().find((h) => h.provider === "sns")).toMatchObject({ channels: ["SMS"], state: "closed" });
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(/otp_provider_circuit_state\{provider="sns",state="closed"\} 1/);
  });
});

describe("SNS at start-up", () => {
  let sns: SnsFake;
  beforeAll(async () => {
    sns = await SnsFake.start({ region: SNS_REGION, credentials: { [SNS_KEY_ID]: SNS_SECRET } });
  });
  afterAll(() => sns?.stop());

  it("refuses to start when AWS refuses the secret, the key or the region (exit 2, naming the variables, not the secret)", async () => {
    const wrongSecret = await startFails(snsEnv(sns, { AWS_SECRET_ACCESS_KEY: "not-the-secret-access-key" }));
    expect(wrongSecret).toBeInstanceOf(ConfigError);
    expect(wrongSecret.message).toMatch(/AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY: SNS check failed: SignatureDoesNotMatch/);
    expect(wrongSecret.message).not.toContain("not-the-secret");
    expect((await startFails(snsEnv(sns, { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000" }))).message).toMatch(/InvalidClientTokenId/);
    expect((await startFails(snsEnv(sns, { AWS_REGION: "eu-west-2" }))).message).toMatch(/SignatureDoesNotMatch/);
    expect(sns.actions.every((a) => a === "GetSMSAttributes")).toBe(true);
    expect(sns.published).toHaveLength(0);
  });

  it("needs AWS_REGION and a valid sender id before anything starts", async () => {
    expect((await startFails({ AWS_SNS_ENDPOINT: sns.url })).message).toMatch(/AWS_REGION is required for the sns provider/);
    expect((await startFails(snsEnv(sns, { AWS_SNS_SENDER_ID: "Acme Corporation" }))).message).toMatch(/AWS_SNS_SENDER_ID/);
  });

  it("starts with a warning and an open breaker when SNS can't be reached", async () => {
    const gw = await startGateway({ env: { ...snsEnv(sns), AWS_SNS_ENDPOINT: `http://127.0.0.1:${await freePort()}` } });
    try {
      const warning = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "provider unreachable at start-up; starting anyway");
      expect(warning).toMatchObject({ provider: "sns" });
      expect(gw.app.services.registry.providerHealth().find((h) => h.provider === "sns")).toMatchObject({ state: "open" });
    } finally {
      await gw.stop();
    }
  });
});
