import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, createStaff } from "../helpers/admin";
import { extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

const OUTBOX = `query($f: OutboxFilter) { outboxMessages(filter: $f, perPage: 50) { total data { id verificationId recipient body } } }`;

/**
 * OUTBOX_IN_PRODUCTION: the outbox then holds live codes for real users, so only ADMIN reads it
 * and every read is in the audit log with the messages it showed.
 */
describe("the outbox in production (OUTBOX_IN_PRODUCTION)", () => {
  let gw: TestGateway;
  let shop: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway({ env: { NODE_ENV: "production", OUTBOX_IN_PRODUCTION: "true", PUBLIC_URL: "https://otp.example.com", ADMIN_REQUIRE_TOTP: "false" } });
    shop = await gw.createApp({ name: "Shop" });
  });
  afterAll(() => gw?.stop());

  it("is refused to SUPPORT, reported off to them, and their attempt reads nothing", async () => {
    await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "+14155550151", channel: "SMS" } });
    await createStaff(gw, "agent@example.com", "SUPPORT");
    const support = await AdminClient.signedIn(gw.url, "agent@example.com");
    expect((await support.gql(`{ outboxEnabled }`)).data.outboxEnabled).toBe(false);
    const r = await support.gql(OUTBOX);
    expect(errorCode(r)).toBe("FORBIDDEN");
    expect(r.data?.outboxMessages).toBeUndefined();
    expect(await gw.app.db.ds.query(`SELECT action FROM audit_log WHERE action = 'outbox.read' AND actor_email = 'agent@example.com'`)).toEqual([]);
  });

  it("ADMIN reads it, and each read is audited with the messages it showed", async () => {
    const id = (await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "+14155550152", channel: "SMS" } })).data.requestOtp.id;
    await createStaff(gw, "lead@example.com", "ADMIN");
    const admin = await AdminClient.signedIn(gw.url, "lead@example.com");
    expect((await admin.gql(`{ outboxEnabled }`)).data.outboxEnabled).toBe(true);
    const first = await admin.gql(OUTBOX, { f: { verificationId: id } });
    const [message] = first.data.outboxMessages.data;
    expect(message).toMatchObject({ verificationId: id, recipient: "+14155550152" });
    expect(extractCode(message.body)).toMatch(/^\d{6}$/);
    await admin.gql(OUTBOX, {});
    const rows = await gw.app.db.ds.query(`SELECT actor_email, actor_role, target_type, after FROM audit_log WHERE action = 'outbox.read' AND actor_email = 'lead@example.com' ORDER BY id`);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ actor_email: "lead@example.com", actor_role: "ADMIN", target_type: "outbox", after: { filter: { verificationId: id }, messageIds: [message.id] } });
    expect(rows[1].after.messageIds).toContain(message.id);
    // The audit row names the messages, never their contents.
    expect(JSON.stringify(rows)).not.toContain(extractCode(message.body));
  });
});
