import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { RESEND_OTP, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { ownRedis, type OwnServer } from "../helpers/own-servers";
import { RequestLoad } from "../helpers/request-load";

/**
 * Redis dies under load and comes back. Invariants: sends fail closed while it is down —
 * every request that reached the limiter then is RATE_LIMITED (with retryAfter) and stores
 * nothing; the process neither crashes nor needs a restart; afterwards sends are accepted
 * again, every accepted request is delivered, and delivery events flow to subscribers again.
 */
describe("fault: Redis restarted under load", () => {
  let redis: OwnServer;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    redis = await ownRedis();
    gw = await startGateway({ env: { REDIS_URL: redis.url } });
    app = await gw.createApp({ name: "Redis fault", resendCooldownSeconds: 0, settings: { limits: { sendsPerCountry: { max: 100_000, windowSeconds: 3600 }, pumping: { prefix: null, country: null, unproven: null, app: null } } } as any });
  });
  afterAll(async () => {
    await gw?.stop();
    await redis?.dispose();
  });

  it("refuses sends while Redis is down, recovers by itself, and loses nothing it accepted", async () => {
    const load = new RequestLoad(gw.url, app.key);
    try {
      await eventually(() => (load.accepted().length >= 10 ? true : undefined), "accepted requests before the fault", 15_000);

      await redis.stop();
      const downAt = Date.now();
      // Once a request has been refused, every request started after it (until Redis returns) is refused too.
      const firstRefusal = await eventually(() => load.since(downAt).find((o) => o.code === "RATE_LIMITED"), "a refusal while Redis is down", 15_000);
      await eventually(() => (load.since(firstRefusal.endedAt).length >= 10 ? true : undefined), "requests while Redis is down", 15_000);
      expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { database: "ok", redis: "unreachable" } });
      // Taken before start(): Redis accepts connections before start() sees it listening, so a
      // request may be served by the restarted Redis and end before start() returns.
      const upAt = Date.now();
      await redis.start();
      const whileDown = load.outcomes.filter((o) => o.startedAt >= firstRefusal.endedAt && o.endedAt < upAt);
      expect(whileDown.length).toBeGreaterThanOrEqual(10);
      for (const o of whileDown) {
        expect(o.code).toBe("RATE_LIMITED");
        expect(o.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
      }

      // Recovery without a restart: the same process accepts sends again.
      await eventually(() => (load.since(upAt).filter((o) => o.id).length >= 10 ? true : undefined), "accepted requests after Redis returned", 20_000);
    } finally {
      await load.stop();
    }

    expect(load.outcomes.filter((o) => o.code && o.code !== "RATE_LIMITED")).toEqual([]);
    const accepted = load.accepted().map((o) => o.id!);
    // Refused requests stored nothing; every accepted one is there and gets sent.
    const [{ n }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM verifications WHERE app_id = $1`, [app.id]);
    expect(n).toBe(accepted.length);
    await eventually(async () => {
      const [{ open }] = await gw.app.db.ds.query(`SELECT count(*)::int AS open FROM deliveries WHERE app_id = $1 AND status NOT IN ('SENT', 'DELIVERED')`, [app.id]);
      return open === 0 ? true : undefined;
    }, "every accepted request sent", 20_000);
    // Handed off: SENT, or already DELIVERED by the outbox playing the phone.
    const [{ sent }] = await gw.app.db.ds.query(`SELECT count(DISTINCT verification_id)::int AS sent FROM deliveries WHERE verification_id = ANY($1) AND status IN ('SENT', 'DELIVERED')`, [accepted]);
    expect(sent).toBe(accepted.length);

    // The Redis event bus resubscribed by itself: a live event reaches a subscriber.
    const id = accepted.at(-1)!;
    const ws = createClient({ url: gw.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${app.key}` }, retryAttempts: 0 });
    const statuses: string[] = [];
    const ended = new Promise<void>((resolve) => {
      ws.subscribe({ query: `subscription($id: ID!) { deliveryStatus(verificationId: $id) { delivery { id status } } }`, variables: { id } },
        { next: (m: any) => statuses.push(`${m.data.deliveryStatus.delivery.id}:${m.data.deliveryStatus.delivery.status}`), error: () => resolve(), complete: () => resolve() });
    });
    await eventually(() => (statuses.length ? true : undefined), "the snapshot");
    const resent = await gql(gw.url, app.key, RESEND_OTP, { id });
    expect(resent.errors).toBeUndefined();
    const newDelivery = resent.data.resendOtp.deliveries.at(-1).id;
    await eventually(() => (statuses.includes(`${newDelivery}:SENT`) ? true : undefined), "a live SENT event after the restart", 10_000);
    await ws.dispose();
    await ended;
  }, 90_000);
});
