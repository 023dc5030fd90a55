import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { DELIVERY_STATUS, collect, statusesOf, wsClient } from "../helpers/ws-client";
import { TwilioFake } from "../fakes/twilio-fake";

const ACCOUNT_SID = "AC00000000000000000000000000000003";
const AUTH_TOKEN = "twilio-test-auth-token-subscriptions";

/**
 * deliveryStatus over a real graphql-ws client: the current state first, then every change,
 * across an API process and a worker process (events through Redis), up to the DELIVERED
 * that Twilio's signed status callback reports; isolation between apps; refused connections;
 * listeners released on unsubscribe and on disconnect.
 */
describe("deliveryStatus subscription", () => {
  let twilio: TwilioFake;
  let api: TestGateway;
  let worker: TestGateway | undefined;
  let appA: { id: string; key: string };
  let appB: { id: string; key: string };
  const clients: Array<ReturnType<typeof wsClient>> = [];
  const client = (key: string | null, headers?: Record<string, string>) => {
    const c = wsClient(api.url, key, headers);
    clients.push(c);
    return c;
  };
  const request = async (destination: string, key = appA.key) => {
    const r = await gql(api.url, key, REQUEST_OTP, { input: { destination, channel: "SMS" } });
    expect(r.errors).toBeUndefined();
    return r.data.requestOtp as { id: string; deliveries: Array<{ id: string; status: string }> };
  };

  beforeAll(async () => {
    twilio = await TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const twilioEnv = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url };
    const prefix = `otpg-test-${randomBytes(4).toString("hex")}:`;
    // The API alone first: deliveries wait in QUEUED until the worker process starts.
    // Behind a proxy on loopback: X-Forwarded-For names the client, on HTTP and WebSocket alike.
    api = await startGateway({ role: "api", env: { ...twilioEnv, REDIS_PREFIX: prefix, TRUST_PROXY: "loopback" } });
    appA = await api.createApp({ name: "Acme" });
    appB = await api.createApp({ name: "Other" });
    (api as any).workerEnv = { ...twilioEnv, REDIS_PREFIX: prefix, PUBLIC_URL: api.env.PUBLIC_URL };
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await worker?.stop();
    await api?.stop();
    await twilio?.stop();
  });

  it("streams the current state, then SENDING, SENT and DELIVERED (worker in another gateway, events over Redis, callback signed)", async () => {
    const v = await request("+14155550701");
    const deliveryId = v.deliveries[0].id;
    const sub = collect(client(appA.key), DELIVERY_STATUS, { id: v.id });
    await eventually(() => (statusesOf(sub).length ? true : undefined), "the snapshot");
    expect(sub.results[0].data.deliveryStatus).toMatchObject({
      verificationId: v.id, delivery: { id: deliveryId, channel: "SMS", provider: "twilio", status: "QUEUED", errorCode: null },
    });
    expect(api.app.services.deliveryEvents.subscriberCount(v.id)).toBe(1);

    // Noise on the bus that must not reach the subscriber: a repeat of the state it has, a
    // stale event (older than its state; the stream re-reads the row and finds nothing new),
    // and an event claiming the verification for another app.
    const [row] = await api.app.db.ds.query(`SELECT * FROM deliveries WHERE id = $1`, [deliveryId]);
    const events = api.app.services.deliveryEvents;
    await events.published(row);
    await events.published({ ...row, status: "FAILED", error_code: "STALE", updated_at: new Date(new Date(row.updated_at).getTime() - 60_000) });
    await events.published({ ...row, app_id: appB.id, status: "FAILED", error_code: "FORGED", updated_at: new Date(Date.now() + 60_000) });

    worker = await startGateway({ role: "worker", databaseUrl: api.env.DATABASE_URL, env: (api as any).workerEnv });
    await eventually(() => (statusesOf(sub).includes("DELIVERED") ? true : undefined), "DELIVERED through the status callback", 15_000);
    expect(statusesOf(sub)).toEqual(["QUEUED", "SENDING", "SENT", "DELIVERED"]);
    for (const r of sub.results) {
      expect(r.errors).toBeUndefined();
      expect(r.data.deliveryStatus.verificationId).toBe(v.id);
      expect(r.data.deliveryStatus.delivery.errorCode).toBeNull();
    }
    const times = sub.results.map((r) => Date.parse(r.data.deliveryStatus.delivery.updatedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((await twilio.waitForMessage((m) => m.to === "+14155550701")).body).toContain("Acme");

    // A late subscriber gets the current state only, once.
    const late = collect(client(appA.key), DELIVERY_STATUS, { id: v.id });
    await eventually(() => (late.results.length ? true : undefined), "the late snapshot");
    expect(statusesOf(late)).toEqual(["DELIVERED"]);
    sub.unsubscribe();
    late.unsubscribe();
    await eventually(() => (events.subscriberCount(v.id) === 0 ? true : undefined), "listeners released on unsubscribe");
  });

  it("another app's verification, an unknown id and a malformed id are NOT_FOUND; nothing is subscribed", async () => {
    const v = await request("+14155550702");
    const ws = client(appB.key);
    for (const id of [v.id, "7b0c6a8e-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const sub = collect(ws, DELIVERY_STATUS, { id });
      await eventually(() => (sub.completed || sub.error ? true : undefined), `the answer for ${id}`);
      expect(sub.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(["NOT_FOUND"]);
      expect(sub.results[0].data ?? null).toBeNull();
      expect(JSON.stringify(sub.results)).not.toContain("+1415");
    }
    expect(api.app.services.deliveryEvents.subscriberCount(v.id)).toBe(0);
    // The owner, on the same server, is served.
    const own = collect(client(appA.key), DELIVERY_STATUS, { id: v.id });
    await eventually(() => (statusesOf(own).length ? true : undefined), "the owner's snapshot");
    own.unsubscribe();
  });

  it("a connection without a key, or with an unknown or revoked one, is closed with 4403", async () => {
    const v = await request("+14155550703");
    const revoked = await api.createApp({ name: "Revoked" });
    await api.app.services.apps.revokeKeys(revoked.id, { all: true });
    for (const key of [null, "otpk_unknown_key", "not even a key", revoked.key]) {
      const ws = client(key);
      const sub = collect(ws, DELIVERY_STATUS, { id: v.id });
      await eventually(() => (sub.error ? true : undefined), `the refusal of ${key}`);
      expect(sub.error.code).toBe(4403);
      expect(ws.closeCodes).toEqual([4403]);
      expect(sub.results).toEqual([]);
    }
  });

  it("a dropped connection releases its listeners; a validation error carries its code", async () => {
    const v = await request("+14155550704");
    const ws = client(appA.key);
    const a = collect(ws, DELIVERY_STATUS, { id: v.id });
    const b = collect(ws, DELIVERY_STATUS, { id: v.id });
    await eventually(() => (a.results.length && b.results.length ? true : undefined), "both snapshots");
    expect(api.app.services.deliveryEvents.subscriberCount(v.id)).toBe(2);
    await ws.dispose();
    await eventually(() => (api.app.services.deliveryEvents.subscriberCount(v.id) === 0 ? true : undefined), "listeners released on disconnect");

    const bad = collect(client(appA.key), `subscription { deliveryStatus(verificationId: "x") { nope } }`, {});
    await eventually(() => (bad.error ? true : undefined), "the validation error");
    expect(bad.error[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("over WebSocket as over HTTP, the client IP is the clientIp the backend states; X-Forwarded-For never stands in for it", async () => {
    const ws = client(appA.key, { "x-forwarded-for": "198.51.100.23" });
    const stated = collect(ws, REQUEST_OTP, { input: { destination: "+14155550705", channel: "SMS", clientIp: "203.0.113.77" } });
    const unstated = collect(ws, REQUEST_OTP, { input: { destination: "+14155550706", channel: "SMS" } });
    await eventually(() => (stated.completed && unstated.completed ? true : undefined), "the mutations over WebSocket");
    expect(stated.results[0].errors).toBeUndefined();
    expect(unstated.results[0].errors).toBeUndefined();
    const rows = await api.app.db.ds.query(`SELECT destination, client_ip FROM verifications WHERE id = ANY($1) ORDER BY destination`, [
      [stated.results[0].data.requestOtp.id, unstated.results[0].data.requestOtp.id],
    ]);
    // Per-IP limits key on the stated clientIp alone (contract, second round); without it, none applies.
    expect(rows).toEqual([{ destination: "+14155550705", client_ip: "203.0.113.77" }, { destination: "+14155550706", client_ip: null }]);
  });
});
