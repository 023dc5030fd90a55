import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { Client } from "pg";
import { createTestDatabase } from "../helpers/test-database";
import { GET_VERIFICATION, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { requestOtp } from "../helpers/abuse";
import { DELIVERY_STATUS, collect, statusesOf, wsClient } from "../helpers/ws-client";
import { WebhookReceiver } from "../helpers/webhook-receiver";
import { loadConfig } from "../../server/src/config/config";
import { OUTBOX_UNDELIVERABLE } from "../../server/src/providers/outbox/outbox-phone";

const UNDELIVERABLE = OUTBOX_UNDELIVERABLE[0];

/**
 * In development the outbox plays the phone: each kept message is reported DELIVERED after
 * OUTBOX_DELIVERY_DELAY_MS through the vendor-callback path (events, subscriptions, webhooks,
 * timeline), and its undeliverable test number is reported UNDELIVERED (fallback, FAILED).
 */
describe("the development outbox reports deliveries", () => {
  let gw: TestGateway;
  let receiver: WebhookReceiver;
  let app: { id: string; key: string };
  let withFallback: { id: string; key: string };
  const clients: Array<ReturnType<typeof wsClient>> = [];

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    gw = await startGateway({ env: { OUTBOX_DELIVERY_DELAY_MS: "300" } });
    app = await gw.createApp({ name: "Outbox" });
    withFallback = await gw.createApp({ name: "Outbox with fallback", settings: { fallbackChannel: "VOICE" } });
    receiver.secret = (await gw.app.services.webhookEndpoints.add(app.id, receiver.url)).secret;
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await gw?.stop();
    await receiver?.stop();
  });

  const deliveriesOf = async (key: string, id: string) => (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification;
  const eventRows = (verificationId: string) =>
    gw.app.db.ds.query(`SELECT status, source, provider, error_code FROM delivery_events WHERE verification_id = $1 ORDER BY id`, [verificationId]);

  it("a message becomes DELIVERED after the delay, as a vendor's receipt: subscription, delivery events, webhook", async () => {
    const r = await requestOtp(gw, app.key, "+14155550180");
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    const client = wsClient(gw.url, app.key);
    clients.push(client);
    const sub = collect(client, DELIVERY_STATUS, { id: v.id });
    await eventually(() => (statusesOf(sub).includes("DELIVERED") ? true : undefined), "DELIVERED on the subscription", 15_000);
    expect(statusesOf(sub).at(-1)).toBe("DELIVERED");
    expect(await eventRows(v.id)).toEqual([
      { status: "QUEUED", source: "api", provider: "outbox", error_code: null },
      { status: "SENDING", source: "worker", provider: "outbox", error_code: null },
      { status: "SENT", source: "worker", provider: "outbox", error_code: null },
      { status: "DELIVERED", source: "callback", provider: "outbox", error_code: null },
    ]);
    // The played report is cleared from the outbox row after it was applied (outbox-phone.ts):
    // the subscription can hear DELIVERED a moment before that second statement.
    const row = await eventually(async () => {
      const [r] = await gw.app.db.ds.query(`SELECT report_status, report_due_at FROM outbox_messages WHERE verification_id = $1`, [v.id]);
      return r?.report_due_at === null ? r : undefined;
    }, "the played report cleared from the outbox row", 15_000);
    expect(row).toEqual({ report_status: "DELIVERED", report_due_at: null });
    const hook = await eventually(
      () => receiver.accepted().find((h) => h.json?.data?.verificationId === v.id && h.json.data.delivery?.status === "DELIVERED"),
      "the delivery.updated webhook for DELIVERED", 15_000,
    );
    expect(hook.json.data.delivery).toMatchObject({ provider: "outbox", status: "DELIVERED", errorCode: null });
  });

  it("the undeliverable test number: UNDELIVERED with an error code, and the verification FAILED", async () => {
    const v = (await requestOtp(gw, app.key, UNDELIVERABLE)).data.requestOtp;
    const failed = await eventually(async () => {
      const s = await deliveriesOf(app.key, v.id);
      return s.status === "FAILED" ? s : undefined;
    }, "the verification to be FAILED", 15_000);
    expect(failed.deliveries).toEqual([expect.objectContaining({ provider: "outbox", status: "UNDELIVERED", errorCode: "OUTBOX_UNDELIVERABLE" })]);
    expect((await eventRows(v.id)).map((e: { source: string; status: string }) => `${e.source}:${e.status}`))
      .toEqual(["api:QUEUED", "worker:SENDING", "worker:SENT", "callback:UNDELIVERED"]);
    await eventually(() => receiver.accepted().find((h) => h.json?.type === "verification.failed" && h.json.data.id === v.id), "the verification.failed webhook", 15_000);
  });

  it("the undeliverable number with a fallback channel: the VOICE fallback runs (and is undeliverable too)", async () => {
    const v = (await requestOtp(gw, withFallback.key, UNDELIVERABLE)).data.requestOtp;
    const done = await eventually(async () => {
      const s = await deliveriesOf(withFallback.key, v.id);
      return s.status === "FAILED" ? s : undefined;
    }, "the verification to be FAILED once its fallback failed too", 15_000);
    expect(done.deliveries.map((d: { channel: string; status: string; errorCode: string }) => [d.channel, d.status, d.errorCode]).sort())
      .toEqual([["SMS", "UNDELIVERED", "OUTBOX_UNDELIVERABLE"], ["VOICE", "UNDELIVERED", "OUTBOX_UNDELIVERABLE"]]);
  });

  it("the e-mail undeliverable address too; any other address is delivered", async () => {
    const bad = (await requestOtp(gw, app.key, "Undeliverable@Example.com", { channel: "EMAIL" })).data.requestOtp;
    const good = (await requestOtp(gw, app.key, "someone@example.com", { channel: "EMAIL" })).data.requestOtp;
    await eventually(async () => ((await deliveriesOf(app.key, bad.id)).deliveries[0].status === "UNDELIVERED" ? true : undefined), "the e-mail UNDELIVERED", 15_000);
    await eventually(async () => ((await deliveriesOf(app.key, good.id)).deliveries[0].status === "DELIVERED" ? true : undefined), "the e-mail DELIVERED", 15_000);
  });

  it("OUTBOX_DELIVERY_DELAY_MS: a number of milliseconds or off; 1500 by default, off by default in production; anything else refused", () => {
    const base = { OTP_SECRET: "test-secret-test-secret-test-secret-0123456789" };
    expect(loadConfig(base).outboxDeliveryDelayMs).toBe(1500);
    expect(loadConfig({ ...base, OUTBOX_DELIVERY_DELAY_MS: "0" }).outboxDeliveryDelayMs).toBe(0);
    expect(loadConfig({ ...base, OUTBOX_DELIVERY_DELAY_MS: "off" }).outboxDeliveryDelayMs).toBeNull();
    for (const bad of ["-1", "soon", "1.5", "600001"]) {
      expect(() => loadConfig({ ...base, OUTBOX_DELIVERY_DELAY_MS: bad }), bad).toThrow(/OUTBOX_DELIVERY_DELAY_MS/);
    }
  });
});

describe("the outbox's reports survive a restart, and can be switched off", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let gw: TestGateway | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await gw?.stop();
    await db?.drop();
  });

  it("a report still due when the process stopped is made by the next one; with `off` nothing is due", async () => {
    // A delay longer than the test: the first process stops with its report pending.
    gw = await startGateway({ databaseUrl: db.url, env: { OUTBOX_DELIVERY_DELAY_MS: "600000" } });
    const app = await gw.createApp({ name: "Restart" });
    const v = (await requestOtp(gw, app.key, "+14155550181")).data.requestOtp;
    const due = await eventually(async () => {
      const [row] = await gw!.app.db.ds.query(`SELECT report_status, report_due_at FROM outbox_messages WHERE verification_id = $1`, [v.id]);
      return row;
    }, "the outbox row");
    expect(due.report_status).toBe("DELIVERED");
    await gw.stop();
    gw = undefined;
    // As if the delay had passed while nothing ran.
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(`UPDATE outbox_messages SET report_due_at = now() - interval '1 second' WHERE verification_id = $1`, [v.id]);
    await c.end();

    gw = await startGateway({ databaseUrl: db.url, env: { OUTBOX_DELIVERY_DELAY_MS: "off" } });
    await eventually(async () => {
      const [d] = await gw!.app.db.ds.query(`SELECT status FROM deliveries WHERE verification_id = $1`, [v.id]);
      return d.status === "DELIVERED" ? true : undefined;
    }, "the pending report made after the restart", 15_000);

    // Switched off: the message is kept and SENT, with nothing due.
    const quiet = (await requestOtp(gw, app.key, "+14155550182")).data.requestOtp;
    await eventually(async () => {
      const [d] = await gw!.app.db.ds.query(`SELECT status FROM deliveries WHERE verification_id = $1`, [quiet.id]);
      return d.status === "SENT" ? true : undefined;
    }, "the quiet delivery SENT");
    expect(await gw.app.db.ds.query(`SELECT report_status, report_due_at FROM outbox_messages WHERE verification_id = $1`, [quiet.id]))
      .toEqual([{ report_status: null, report_due_at: null }]);
  });
});
