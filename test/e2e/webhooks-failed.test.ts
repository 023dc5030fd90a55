import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { WebhookReceiver } from "../helpers/webhook-receiver";

/** verification.failed: a verification whose every delivery failed for good, emitted in the transaction that fails it. */
describe("webhooks: verification.failed", () => {
  let gw: TestGateway;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    gw = await startGateway({ env: { WEBHOOK_POLL_MS: "100" } });
  });
  afterAll(async () => {
    await gw?.stop();
    await receiver?.stop();
  });

  it("a destination that refuses every delivery: delivery.updated FAILED, then verification.failed, in order", async () => {
    const destination = "+14155550666";
    const app = await gw.createApp({ name: "Refused", settings: { testDestinations: [{ destination, code: "123456", outcome: "FAILED" }] } as any });
    receiver.secret = (await gw.app.services.webhookEndpoints.add(app.id, receiver.url, "verification.failed,delivery.updated")).secret;
    const v = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel: "SMS" } })).data.requestOtp;
    const failed = await eventually(() => receiver.accepted().find((r) => r.json.type === "verification.failed" && r.json.data.id === v.id), "verification.failed", 10_000);
    expect(failed.verified).toBe(true);
    expect(failed.json.data).toMatchObject({ id: v.id, status: "FAILED", to: v.to });
    expect(failed.json.data.deliveries.every((d: any) => d.status === "FAILED" || d.status === "UNDELIVERED")).toBe(true);
    const mine = receiver.accepted().filter((r) => r.json.data.id === v.id || r.json.data.verificationId === v.id).map((r) => r.json.type === "delivery.updated" ? r.json.data.delivery.status : r.json.type);
    expect(mine.at(-1)).toBe("verification.failed");
    expect(mine).toContain("FAILED");
  });
});
