import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { eventually } from "../helpers/codes";
import { TestClock, enroll, phoneCode, verifyTotp } from "../helpers/totp";
import { WebhookReceiver } from "../helpers/webhook-receiver";

/** totp.verified: one event per accepted code, committed with the approval; never the secret or the code. */
describe("webhooks: totp.verified", () => {
  let gw: TestGateway;
  let receiver: WebhookReceiver;
  const clock = new TestClock();

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    gw = await startGateway({ clock: clock.read, env: { WEBHOOK_POLL_MS: "100" } });
  });
  afterAll(async () => {
    await gw?.stop();
    await receiver?.stop();
  });

  it("a right code emits totp.verified with the factor; a wrong or replayed code emits nothing", async () => {
    const app = await gw.createApp({ name: "Authenticator" });
    receiver.secret = (await gw.app.services.webhookEndpoints.add(app.id, receiver.url, "totp.verified")).secret;
    const e = await enroll(gw, app.key, { subject: "user-7", label: "alice@example.com" });
    const code = phoneCode(e.secret, clock.now);
    const wrong = code === "000000" ? "111111" : "000000";
    expect((await verifyTotp(gw, app.key, { factorId: e.factor.id, code: wrong })).data.verifyTotp.status).not.toBe("APPROVED");
    expect((await verifyTotp(gw, app.key, { factorId: e.factor.id, code })).data.verifyTotp.status).toBe("APPROVED");
    expect((await verifyTotp(gw, app.key, { factorId: e.factor.id, code })).data.verifyTotp.status).not.toBe("APPROVED"); // replay

    const got = await eventually(() => receiver.accepted().find((r) => r.json.type === "totp.verified"), "totp.verified");
    expect(got.verified).toBe(true);
    expect(got.json.data).toEqual({
      id: e.factor.id, subject: "user-7", label: "alice@example.com", status: "VERIFIED",
      createdAt: expect.any(String), verifiedAt: expect.any(String), lastUsedAt: expect.any(String),
    });
    expect(got.body).not.toContain(e.secret);
    expect(got.body).not.toContain(code);
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received.filter((r) => r.json.type === "totp.verified")).toHaveLength(1);

    clock.nextStep();
    expect((await verifyTotp(gw, app.key, { subject: "user-7", code: phoneCode(e.secret, clock.now) })).data.verifyTotp.status).toBe("APPROVED");
    await eventually(() => (receiver.accepted().filter((r) => r.json.type === "totp.verified").length === 2 ? true : undefined), "the second totp.verified");
  });
});
