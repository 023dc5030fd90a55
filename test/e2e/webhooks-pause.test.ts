import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { WebhookReceiver } from "../helpers/webhook-receiver";
import { randomUsNumber } from "../bench/numbers";

/**
 * An endpoint that fails every attempt for a whole retry window (1 s here, 24 h by default):
 * its message is marked FAILED, the endpoint is paused with a block record (which the app's
 * other endpoint hears of as block.created), its new events wait unsent, and a resume sends
 * them — while the healthy endpoint was never held up.
 */
describe("webhooks: a failing endpoint is paused, and resumed", () => {
  let gw: TestGateway;
  let down: WebhookReceiver;
  let healthy: WebhookReceiver;
  let app: { id: string; key: string };
  let downId: string;

  beforeAll(async () => {
    [down, healthy] = await Promise.all([WebhookReceiver.start(), WebhookReceiver.start()]);
    // A 3 s window: 1 s could close before a loaded machine made the second attempt the test expects.
    gw = await startGateway({ env: { WEBHOOK_RETRY_BASE_MS: "50", WEBHOOK_RETRY_MAX_MS: "200", WEBHOOK_RETRY_WINDOW_SECONDS: "3", WEBHOOK_POLL_MS: "100" } });
    app = await gw.createApp({ name: "Pause" });
    const a = await gw.app.services.webhookEndpoints.add(app.id, down.url, "verification.pending");
    downId = a.endpoint.id;
    down.secret = a.secret;
    const b = await gw.app.services.webhookEndpoints.add(app.id, healthy.url, "verification.pending,block.created");
    healthy.secret = b.secret;
    down.respond = () => 500;
  });
  afterAll(async () => {
    await gw?.stop();
    await Promise.all([down?.stop(), healthy?.stop()]);
  });

  const request = async () => (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: randomUsNumber(), channel: "SMS" } })).data.requestOtp;
  const endpoint = async () => (await gw.app.services.webhookEndpoints.get(app.id, downId));

  it("fails the message after the window, pauses the endpoint with a block record, holds its new events; resume sends them", async () => {
    const first = await request();
    // The healthy endpoint is not held up by the failing one.
    await eventually(() => healthy.accepted().find((e) => e.json.data.id === first.id), "the healthy endpoint's event", 15_000);
    const paused = await eventually(async () => ((await endpoint()).status === "PAUSED" ? endpoint() : undefined), "the endpoint to pause", 20_000);
    expect(paused.pauseReason).toMatch(/retry window/);
    const [msg] = await gw.app.db.ds.query(`SELECT status, attempts FROM webhook_messages WHERE endpoint_id = $1`, [downId]);
    expect(msg.status).toBe("FAILED");
    // Retried within the window (how often depends on the machine's speed), every attempt counted.
    expect(msg.attempts).toBeGreaterThanOrEqual(2);
    expect(paused.consecutiveFailures).toBe(msg.attempts);
    expect(down.received.length).toBe(msg.attempts);
    expect(new Set(down.received.map((r) => r.id)).size).toBe(1);

    const blocks = await eventually(async () => {
      const list = await gw.app.services.blocks.list({ appId: app.id, active: true });
      return list.length ? list : undefined;
    }, "the pause's block record");
    expect(blocks).toEqual([expect.objectContaining({ rule: "webhook_endpoint_paused", keyMasked: new URL(down.url).host })]);
    const heard = await eventually(() => healthy.accepted().find((e) => e.json.type === "block.created"), "block.created at the other endpoint");
    expect(heard.json.data).toMatchObject({ rule: "webhook_endpoint_paused", key: new URL(down.url).host });

    // While paused: queued, not attempted.
    const second = await request();
    await eventually(() => healthy.accepted().find((e) => e.json.data.id === second.id), "the healthy endpoint's second event", 15_000);
    const tries = down.received.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(down.received.length).toBe(tries);
    const [waiting] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM webhook_messages WHERE endpoint_id = $1 AND status = 'PENDING'`, [downId]);
    expect(waiting.n).toBe(1);

    down.respond = () => 200;
    const resumed = await gw.app.services.webhookEndpoints.resume(app.id, downId, "test");
    expect(resumed).toMatchObject({ status: "ACTIVE", consecutiveFailures: 0, pausedAt: null });
    const got = await eventually(() => down.accepted().find((e) => e.json.data.id === second.id), "the held event after the resume", 15_000);
    expect(got.verified).toBe(true);
    expect(await gw.app.services.blocks.list({ appId: app.id, active: true })).toEqual([]);
    // The failed one stays failed (the dashboard can resend it).
    expect(down.accepted().find((e) => e.json.data.id === first.id)).toBeUndefined();
  });

  it("lifting the pause's block (block lift, the blocks page) resumes the endpoint too", async () => {
    down.respond = () => 500;
    const third = await request();
    await eventually(async () => ((await endpoint()).status === "PAUSED" ? true : undefined), "the endpoint to pause again", 20_000);
    const [block] = await eventually(async () => {
      const list = await gw.app.services.blocks.list({ appId: app.id, active: true });
      return list.length ? list : undefined;
    }, "the second pause's block record");
    down.respond = () => 200;
    await gw.app.services.blockService.lift(block.id, "ops@example.com", "receiver fixed");
    expect((await endpoint()).status).toBe("ACTIVE");
    const fourth = await request();
    const got = await eventually(() => down.accepted().find((e) => e.json.data.id === fourth.id), "an event after the lift", 15_000);
    expect(got.verified).toBe(true);
    expect(down.accepted().find((e) => e.json.data.id === third.id)).toBeUndefined(); // failed before the lift; stays failed
  });
});
