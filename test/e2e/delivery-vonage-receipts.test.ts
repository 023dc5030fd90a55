import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { httpPost } from "../fakes/fake-http";
import { signVonageParams } from "../fakes/vonage-fake";
import { VONAGE_FROM, VONAGE_KEY, VONAGE_SIGNATURE_SECRET, startVendors, type Vendors } from "../helpers/vendors";
import { ConfigError, loadConfig } from "../../server/src/config/config";

/**
 * Vonage delivery receipts as a forger or a replayer sends them: only genuinely signed, fresh
 * receipts in the configured method (SHA-256 HMAC by default) change anything, and receipts
 * for messages we don't know are kept only up to a cap, counted.
 */
describe("Vonage delivery receipts: signatures, freshness, unknown ids", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let dlrUrl: string;

  beforeAll(async () => {
    vendors = await startVendors({ only: ["vonage"] });
    // No VONAGE_SIGNATURE_METHOD: the default must be SHA-256 HMAC. A small cap for unknown receipts.
    gw = await startGateway({ env: { ...vendors.env, VONAGE_SIGNATURE_METHOD: undefined, UNMATCHED_CALLBACKS_MAX: "3" } });
    app = await gw.createApp({ name: "Receipts", maxSends: 50 });
    dlrUrl = `${gw.env.PUBLIC_URL}/webhooks/vonage/status`;
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const deliveryOf = async (id: string) => (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  const dlr = (messageId: string, status: string, extra: Record<string, string> = {}) => ({
    msisdn: "447911123201", to: VONAGE_FROM, "network-code": "23410", messageId, price: "0.03330000", status,
    scts: "2612010900", "err-code": "0", "api-key": VONAGE_KEY, "message-timestamp": "2026-12-01 09:00:00",
    timestamp: String(Math.floor(Date.now() / 1000)), nonce: randomBytes(8).toString("hex"), ...extra,
  });
  const signed = (p: Record<string, string>, how: Parameters<typeof signVonageParams>[2] = "sha256hmac", secret = VONAGE_SIGNATURE_SECRET) => ({ ...p, sig: signVonageParams(p, secret, how) });
  const post = (params: Record<string, string>) => httpPost(dlrUrl, { "Content-Type": "application/json" }, JSON.stringify(params));
  /** A message handed to Vonage whose own receipt only says "accepted" (SENT), so a forged final status would show. */
  const sentMessage = async (to: string) => {
    vendors.vonage.setOutcome(to, { status: "accepted", errCode: "0" });
    const id: string = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } })).data.requestOtp.id;
    const sms = await vendors.vonage.waitForMessage((m) => m.to === to.slice(1));
    await vendors.vonage.waitForCallback((c) => c.params.messageId === sms.messageId);
    await eventually(async () => ((await deliveryOf(id)).status === "SENT" ? true : undefined), "the hand-off");
    return { id, messageId: sms.messageId };
  };

  it("by default accepts the stand-in's SHA-256 HMAC receipts, compared case-insensitively", async () => {
    const { id, messageId } = await sentMessage("+447911123201");
    const lower = signed(dlr(messageId, "delivered"));
    lower.sig = lower.sig.toLowerCase();
    expect((await post(lower)).status).toBe(204);
    expect(await deliveryOf(id)).toMatchObject({ status: "DELIVERED" });
  });

  it("refuses MD5-hash receipts (Vonage's old default) unless configured, and malformed signatures, with 403", async () => {
    const { id, messageId } = await sentMessage("+447911123202");
    const attempts = [
      signed(dlr(messageId, "failed", { "err-code": "6" }), "md5hash"),
      signed(dlr(messageId, "failed", { "err-code": "6" }), "sha512hmac"),
      signed(dlr(messageId, "failed", { "err-code": "6" }), "sha256hmac", "not-the-secret"),
      { ...dlr(messageId, "failed"), sig: "ABC" }, // shorter than any real signature: a 403, not a crash
      { ...dlr(messageId, "failed"), sig: "" },
    ];
    for (const p of attempts) expect((await post(p)).status).toBe(403);
    expect(await deliveryOf(id)).toMatchObject({ status: "SENT", errorCode: null });
  });

  it("refuses receipts whose signed timestamp is more than 5 minutes off, from the stand-in's skewed clock or replayed", async () => {
    const to = "+447911123203";
    vendors.vonage.setOutcome(to, { status: "failed", errCode: "6" });
    try {
      vendors.vonage.setSigning({ clockSkewSeconds: -400 });
      const id: string = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } })).data.requestOtp.id;
      const sms = await vendors.vonage.waitForMessage((m) => m.to === to.slice(1));
      expect((await vendors.vonage.waitForCallback((c) => c.params.messageId === sms.messageId)).status).toBe(403);
      const now = Math.floor(Date.now() / 1000);
      for (const ts of [now - 330, now + 330, NaN]) { // clear of the 300 s edge: our `now` is floored, the server's is not
        const r = await post(signed(dlr(sms.messageId, "failed", { "err-code": "6", timestamp: String(ts) })));
        expect(r.status).toBe(403);
      }
      const { timestamp: _t, ...noTimestamp } = dlr(sms.messageId, "failed", { "err-code": "6" });
      expect((await post(signed(noTimestamp))).status).toBe(403);
      expect(await deliveryOf(id)).toMatchObject({ status: "SENT" });
      // Within the window (a clock 4 minutes off) it is genuine.
      expect((await post(signed(dlr(sms.messageId, "failed", { "err-code": "6", timestamp: String(now - 240) })))).status).toBe(204);
      expect(await deliveryOf(id)).toMatchObject({ status: "FAILED", errorCode: "6" });
    } finally {
      vendors.vonage.setSigning({ clockSkewSeconds: 0 });
    }
  });

  it("keeps receipts for unknown message ids only up to UNMATCHED_CALLBACKS_MAX, trimmed, and counts them", async () => {
    await gw.app.db.ds.query(`DELETE FROM early_status_callbacks`);
    const counted = async (outcome: string) => {
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      return Number(new RegExp(`otp_status_callbacks_unmatched_total\\{provider="vonage",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    };
    // Earlier receipts may have raced their message's record (stored, then matched): count from here.
    const before = { stored: await counted("stored"), dropped: await counted("dropped") };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(signed(dlr(`unknown-${i}`, "delivered", { padding: "x".repeat(5000) })))).status);
    expect(statuses).toEqual([204, 204, 204, 204, 204]); // answered alike: the vendor must not retry
    const rows = await gw.app.db.ds.query(`SELECT provider_message_id, raw FROM early_status_callbacks ORDER BY id`);
    expect(rows.map((r: { provider_message_id: string }) => r.provider_message_id)).toEqual(["unknown-0", "unknown-1", "unknown-2"]);
    expect(rows[0].raw.padding.length).toBeLessThanOrEqual(256);
    expect(await counted("stored")).toBe(before.stored + 3);
    expect(await counted("dropped")).toBe(before.dropped + 2);
  });

  it("in production, Vonage without VONAGE_SIGNATURE_SECRET is a start-up error naming it", () => {
    const base = { NODE_ENV: "production", OTP_SECRET: "x".repeat(40), VONAGE_API_KEY: "k", VONAGE_API_SECRET: "s", VONAGE_FROM: "F", PUBLIC_URL: "https://otp.example.com" };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/VONAGE_SIGNATURE_SECRET/); // the message lists each problem by variable
    expect(loadConfig({ ...base, VONAGE_SIGNATURE_SECRET: "secret" }).vonage).toMatchObject({ signatureMethod: "sha256hmac" });
  });
});
