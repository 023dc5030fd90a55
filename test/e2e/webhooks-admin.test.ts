import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, AUDIT, createStaff, TIMELINE } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { WebhookReceiver } from "../helpers/webhook-receiver";
import { randomUsNumber } from "../bench/numbers";

const ENDPOINTS = `query($a: ID!) { webhookEndpoints(appId: $a) { id url events status } }`;
const ADD = `mutation($a: ID!, $u: String!, $e: [String!]) { addWebhookEndpoint(appId: $a, url: $u, events: $e) { signingSecret endpoint { id url events status } } }`;
const MESSAGES = `query($a: ID!, $e: ID!) { webhookMessages(appId: $a, endpointId: $e) { id eventId type verificationId status attempts lastStatusCode attemptLog { outcome statusCode latencyMs error } } }`;
const RESEND = `mutation($a: ID!, $m: ID!) { resendWebhookMessage(appId: $a, messageId: $m) { id eventId status } }`;

/** The dashboard's side: ADMINs manage endpoints (audited, secret once), read deliveries, resend; support reads the timeline. */
describe("webhooks in the dashboard", () => {
  let gw: TestGateway;
  let receiver: WebhookReceiver;
  let admin: AdminClient;
  let support: AdminClient;
  let app: { id: string; key: string };

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    gw = await startGateway({ env: { WEBHOOK_POLL_MS: "100" } });
    app = await gw.createApp({ name: "Dash" });
    await createStaff(gw, "admin@example.com", "ADMIN");
    await createStaff(gw, "support@example.com", "SUPPORT");
    admin = await AdminClient.signedIn(gw.url, "admin@example.com");
    support = await AdminClient.signedIn(gw.url, "support@example.com");
  });
  afterAll(async () => {
    await gw?.stop();
    await receiver?.stop();
  });

  it("SUPPORT can neither read nor change endpoints", async () => {
    expect(errorCode(await support.gql(ENDPOINTS, { a: app.id }))).toBe("FORBIDDEN");
    expect(errorCode(await support.gql(ADD, { a: app.id, u: receiver.url }))).toBe("FORBIDDEN");
    expect(await gw.app.services.webhookEndpoints.list(app.id)).toEqual([]);
  });

  it("ADMIN adds an endpoint (secret once; bad input changes nothing), sees its deliveries with attempts, resends one with the same webhook-id; all audited", async () => {
    const bad = await admin.gql(ADD, { a: app.id, u: "ftp://example.com", e: null });
    expect(errorCode(bad)).toBe("BAD_USER_INPUT");
    expect(bad.errors![0].extensions!.field).toBe("url");
    const badType = await admin.gql(ADD, { a: app.id, u: receiver.url, e: ["verification.nope"] });
    expect(badType.errors![0].extensions!.field).toBe("events");
    expect(await gw.app.services.webhookEndpoints.list(app.id)).toEqual([]);

    const added = await admin.gql(ADD, { a: app.id, u: receiver.url, e: ["verification.pending"] });
    expect(added.errors).toBeUndefined();
    const { signingSecret: secret, endpoint } = added.data.addWebhookEndpoint;
    receiver.secret = secret;
    expect(endpoint).toMatchObject({ url: receiver.url, events: ["verification.pending"], status: "ACTIVE" });
    const listed = await admin.gql(ENDPOINTS, { a: app.id });
    expect(JSON.stringify(listed.data)).not.toContain(secret.slice(6));

    const v = (await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: randomUsNumber(), channel: "SMS" } })).data.requestOtp;
    const first = await eventually(() => receiver.accepted().find((r) => r.json.data.id === v.id), "the event at the receiver");
    expect(first.verified).toBe(true);
    // The receiver has answered; the worker records the outcome right after.
    const messages = await eventually(async () => {
      const list = (await admin.gql(MESSAGES, { a: app.id, e: endpoint.id })).data.webhookMessages;
      return list[0]?.status === "DELIVERED" ? list : undefined;
    }, "the message recorded as delivered");
    expect(messages).toEqual([expect.objectContaining({
      eventId: first.id, type: "verification.pending", verificationId: v.id, status: "DELIVERED", attempts: 1, lastStatusCode: 200,
      attemptLog: [expect.objectContaining({ outcome: "DELIVERED", statusCode: 200, error: null })],
    })]);

    const resent = await admin.gql(RESEND, { a: app.id, m: messages[0].id });
    expect(resent.errors).toBeUndefined();
    await eventually(() => (receiver.accepted().filter((r) => r.id === first.id).length === 2 ? true : undefined), "the resent message");
    expect(receiver.accepted().filter((r) => r.id === first.id).every((r) => r.verified && r.body === first.body)).toBe(true);
    // Another app's message id is unknown here.
    const other = await gw.createApp({ name: "Other" });
    expect(errorCode(await admin.gql(RESEND, { a: other.id, m: messages[0].id }))).toBe("NOT_FOUND");

    // The verification's timeline shows the attempts (the endpoint's host, not its path), to support staff too.
    const t = (await support.gql(TIMELINE, { id: v.id })).data.verification.timeline as Array<Record<string, any>>;
    const hooks = t.filter((e) => e.kind === "WEBHOOK_ATTEMPT");
    expect(hooks).toHaveLength(2);
    expect(hooks[0]).toMatchObject({ provider: new URL(receiver.url).host, status: "DELIVERED", errorCode: "200", messageId: first.id });
    expect(hooks[0].summary).toMatch(/^Webhook verification.pending to 127\.0\.0\.1:\d+: accepted \(HTTP 200\) in \d+ ms$/);
    expect(JSON.stringify(t)).not.toContain("/hooks");
    await admin.gql(`mutation($a: ID!, $i: ID!) { resumeWebhookEndpoint(appId: $a, id: $i) { id } }`, { a: app.id, i: endpoint.id });
    await admin.gql(`mutation($a: ID!, $i: ID!) { removeWebhookEndpoint(appId: $a, id: $i) { id } }`, { a: app.id, i: endpoint.id });
    expect(await gw.app.services.webhookEndpoints.list(app.id)).toEqual([]);
    const log = (await admin.gql(AUDIT, { filter: { targetId: app.id } })).data.auditLog.data.reverse();
    expect(log.map((e: any) => e.action)).toEqual(["webhook.add", "webhook.resend", "webhook.resume", "webhook.remove"]);
    expect(JSON.stringify(log)).not.toContain(secret.slice(6));

  });
});
