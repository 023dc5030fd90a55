import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, createStaff } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { eventually } from "../helpers/codes";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

type Access = "ANY" | "ADMIN";
/** `variables` sets up what the call acts on, fresh for each call, so that no case depends on another's leftovers. */
interface Operation {
  name: string; access: Access; query: string; variables?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Allowed, but refused for what it was given (a wrong code, a message that doesn't exist): this code, never FORBIDDEN. */
  allowedRefusal?: string;
}

/**
 * Every admin API operation against every role: no session is UNAUTHENTICATED, SUPPORT is
 * FORBIDDEN from ADMIN's operations (and changes nothing by trying), ADMIN may do everything.
 */
describe("admin API roles", () => {
  let gw: TestGateway;
  let shop: { id: string; key: string };
  let verificationId: string;
  let supportId: string;
  let seq = 0;
  const clients: Record<"anonymous" | "SUPPORT" | "ADMIN", AdminClient> = {} as never;

  beforeAll(async () => {
    gw = await startGateway({ env: { ADMIN_LOGIN_MAX_PER_IP: "1000" } });
    shop = await gw.createApp({ name: "Shop", maxSends: 1 });
    verificationId = (await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "+14155550111", channel: "SMS" } })).data.requestOtp.id;
    supportId = (await createStaff(gw, "support@example.com", "SUPPORT")).id;
    await createStaff(gw, "admin@example.com", "ADMIN");
    clients.anonymous = new AdminClient(gw.url);
    clients.SUPPORT = await AdminClient.signedIn(gw.url, "support@example.com");
    clients.ADMIN = await AdminClient.signedIn(gw.url, "admin@example.com");
  });
  afterAll(() => gw?.stop());

  const list = (field: string, sel = "total") => `{ ${field} { ${sel} } }`;
  /** A fresh app and its one live key. */
  const freshKey = async () => {
    const app = await gw.createApp({ name: `Keys ${++seq}` });
    return { a: app.id, k: (await gw.app.db.ds.query(`SELECT id FROM api_keys WHERE app_id = $1`, [app.id]))[0].id };
  };
  /** A fresh active block: a second send to a new number past the app's one-per-10-minutes limit. */
  const freshBlock = async () => {
    const destination = `+1415555${2000 + ++seq}`;
    await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination, channel: "SMS" } });
    expect(errorCode(await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination, channel: "SMS" } }))).toBe("RATE_LIMITED");
    return { id: (await gw.app.db.ds.query(`SELECT id FROM rate_limit_blocks ORDER BY created_at DESC LIMIT 1`))[0].id };
  };
  /** A fresh webhook endpoint of the shop, added the way the CLI adds one. */
  const freshEndpoint = async () => ({ a: shop.id, id: (await gw.app.services.webhookEndpoints.add(shop.id, `http://127.0.0.1:9/hook-${++seq}`, null)).endpoint.id });
  /** A fresh end-user authenticator factor of the shop, enrolled through the client API. */
  const freshFactor = async () => ({
    id: (await gql(gw.url, shop.key, `mutation($s: String!) { enrollTotp(input: { subject: $s }) { factor { id } } }`, { s: `user-${++seq}` })).data.enrollTotp.factor.id,
  });
  /** A fresh safe-list entry on the shop, added the way an ADMIN would. */
  const freshSafelistEntry = async () => {
    const p = `+1415557${String(1000 + ++seq).slice(-4)}`;
    const r = await clients.ADMIN.gql(`mutation($a: ID!, $p: String!) { addToSafelist(appId: $a, pattern: $p) { pattern } }`, { a: shop.id, p });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return { a: shop.id, p };
  };
  const freshStaff = async () => ({ id: (await createStaff(gw, `target${++seq}@example.com`, "SUPPORT")).id });
  const operations: Operation[] = [
    { name: "verifications", access: "ANY", query: list("verifications") },
    { name: "verification", access: "ANY", query: `query($id: ID!) { verification(id: $id) { id timeline { kind } } }`, variables: () => ({ id: verificationId }) },
    { name: "revealDestination", access: "ANY", query: `mutation($id: ID!) { revealDestination(verificationId: $id, reason: "role matrix check") { destination } }`, variables: () => ({ id: verificationId }) },
    { name: "deliveryAttempts", access: "ANY", query: list("deliveryAttempts") },
    { name: "blocks", access: "ANY", query: list("blocks") },
    { name: "block", access: "ANY", query: `query($id: ID!) { block(id: $id) { id } }`, variables: freshBlock },
    { name: "liftBlock", access: "ANY", query: `mutation($id: ID!) { liftBlock(id: $id, reason: "role matrix check") { active } }`, variables: freshBlock },
    { name: "providers", access: "ANY", query: list("providers") },
    { name: "provider", access: "ANY", query: `{ provider(id: "outbox:SMS") { id } }` },
    { name: "dashboard", access: "ANY", query: `{ dashboard(days: 7) { unit } }` },
    { name: "appOptions", access: "ANY", query: `{ appOptions { id name } }` },
    { name: "channels", access: "ANY", query: `{ channels }` },
    { name: "outboxEnabled", access: "ANY", query: `{ outboxEnabled }` },
    { name: "outboxMessages", access: "ANY", query: list("outboxMessages") },
    { name: "startTotpSetup", access: "ANY", query: `mutation { startTotpSetup(password: "correct horse battery staple", currentCode: "000000") { uri } }` },
    { name: "confirmTotpSetup", access: "ANY", query: `mutation { confirmTotpSetup(code: "000000") { id } }` },
    { name: "spendAndConversion", access: "ADMIN", query: `{ spendAndConversion(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", groupBy: [COUNTRY]) { totals { verifications } } }` },
    { name: "apps", access: "ADMIN", query: list("apps") },
    { name: "app", access: "ADMIN", query: `query($id: ID!) { app(id: $id) { id keys { id } } }`, variables: () => ({ id: shop.id }) },
    { name: "createApp", access: "ADMIN", query: `mutation { createApp(input: { name: "Made in the matrix" }) { apiKey app { id } } }` },
    { name: "updateApp", access: "ADMIN", query: `mutation($id: ID!) { updateApp(id: $id, input: { maxSends: 4 }) { maxSends } }`, variables: async () => ({ id: (await freshKey()).a }) },
    { name: "rotateAppKey", access: "ADMIN", query: `mutation($a: ID!, $k: ID!) { rotateAppKey(appId: $a, keyId: $k) { apiKey } }`, variables: freshKey },
    { name: "revokeAppKey", access: "ADMIN", query: `mutation($a: ID!, $k: ID!) { revokeAppKey(appId: $a, keyId: $k) { id } }`, variables: freshKey },
    { name: "addAppKey", access: "ADMIN", query: `mutation($a: ID!) { addAppKey(appId: $a) { apiKey } }`, variables: async () => ({ a: (await freshKey()).a }) },
    { name: "revokeAppKeys", access: "ADMIN", query: `mutation($a: ID!) { revokeAppKeys(appId: $a) { id } }`, variables: async () => ({ a: (await freshKey()).a }) },
    { name: "safelist", access: "ADMIN", query: `query($a: ID!) { safelist(appId: $a) { pattern } }`, variables: () => ({ a: shop.id }) },
    { name: "addToSafelist", access: "ADMIN", query: `mutation($a: ID!, $p: String!) { addToSafelist(appId: $a, pattern: $p) { numbers } }`, variables: () => ({ a: shop.id, p: `+1415556${String(1000 + ++seq).slice(-4)}` }) },
    { name: "removeFromSafelist", access: "ADMIN", query: `mutation($a: ID!, $p: String!) { removeFromSafelist(appId: $a, pattern: $p) { pattern } }`, variables: freshSafelistEntry },
    { name: "staffUsers", access: "ADMIN", query: list("staffUsers") },
    { name: "staffUser", access: "ADMIN", query: `query($id: ID!) { staffUser(id: $id) { email } }`, variables: () => ({ id: supportId }) },
    { name: "createStaff", access: "ADMIN", query: `mutation($e: String!) { createStaff(input: { email: $e, role: SUPPORT, password: "a long enough password" }) { id } }`, variables: () => ({ e: `new${++seq}@example.com` }) },
    { name: "updateStaff", access: "ADMIN", query: `mutation($id: ID!) { updateStaff(id: $id, input: { role: ADMIN }) { role } }`, variables: freshStaff },
    { name: "issueEnrolmentLink", access: "ADMIN", query: `mutation($id: ID!) { issueEnrolmentLink(staffId: $id) { expiresAt } }`, variables: freshStaff },
    { name: "totpFactors", access: "ANY", query: list("totpFactors") },
    { name: "totpFactor", access: "ANY", query: `query($id: ID!) { totpFactor(id: $id) { id timeline { kind } } }`, variables: freshFactor },
    { name: "revokeTotpFactor", access: "ADMIN", query: `mutation($id: ID!) { revokeTotpFactor(id: $id, reason: "role matrix check") { status } }`, variables: freshFactor },
    { name: "webhookEndpoints", access: "ADMIN", query: `query($a: ID!) { webhookEndpoints(appId: $a) { id } }`, variables: () => ({ a: shop.id }) },
    { name: "webhookMessages", access: "ADMIN", query: `query($a: ID!, $id: ID!) { webhookMessages(appId: $a, endpointId: $id) { id } }`, variables: freshEndpoint },
    { name: "addWebhookEndpoint", access: "ADMIN", query: `mutation($a: ID!, $u: String!) { addWebhookEndpoint(appId: $a, url: $u) { endpoint { id } } }`, variables: () => ({ a: shop.id, u: `http://127.0.0.1:9/new-${++seq}` }) },
    { name: "removeWebhookEndpoint", access: "ADMIN", query: `mutation($a: ID!, $id: ID!) { removeWebhookEndpoint(appId: $a, id: $id) { id } }`, variables: freshEndpoint },
    { name: "resumeWebhookEndpoint", access: "ADMIN", query: `mutation($a: ID!, $id: ID!) { resumeWebhookEndpoint(appId: $a, id: $id) { id } }`, variables: freshEndpoint },
    { name: "resendWebhookMessage", access: "ADMIN", query: `mutation($a: ID!, $m: ID!) { resendWebhookMessage(appId: $a, messageId: $m) { id } }`, variables: () => ({ a: shop.id, m: crypto.randomUUID() }), allowedRefusal: "NOT_FOUND" },
    { name: "auditLog", access: "ADMIN", query: list("auditLog") },
    { name: "auditEntry", access: "ADMIN", query: `query($id: ID!) { auditEntry(id: $id) { id } }`, variables: async () => ({ id: String((await gw.app.db.ds.query(`SELECT min(id) AS id FROM audit_log`))[0].id) }) },
  ];

  /** What a refused operation must not have changed. */
  const snapshot = async () => {
    const [row] = await gw.app.db.ds.query(`SELECT
      (SELECT count(*)::int FROM apps) AS apps, (SELECT count(*)::int FROM api_keys WHERE revoked_at IS NULL) AS live_keys,
      (SELECT string_agg(max_sends::text, ',' ORDER BY id) FROM apps) AS max_sends, (SELECT count(*)::int FROM admin_users) AS staff,
      (SELECT string_agg(role, ',' ORDER BY id) FROM admin_users) AS roles,
      (SELECT count(*)::int FROM rate_limit_blocks WHERE lifted_at IS NOT NULL) AS lifted,
      (SELECT count(*)::int FROM admin_enrolment_links) AS links,
      (SELECT string_agg(id::text || status, ',' ORDER BY id) FROM webhook_endpoints) AS endpoints,
      (SELECT count(*)::int FROM totp_factors WHERE status = 'REVOKED') AS revoked_factors,
      (SELECT count(*)::int FROM audit_log WHERE action NOT IN ('staff.login')) AS audited`);
    return row;
  };

  it("covers every query and mutation of the schema", async () => {
    const { buildAdminSchema } = await import("../../server/src/admin/schema");
    const schema = await buildAdminSchema();
    const all = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    const open = ["me", "login", "logout", "beginTotpEnrolment", "finishTotpEnrolment"];
    expect(new Set(operations.map((o) => o.name))).toEqual(new Set(all.filter((n) => !open.includes(n))));
  });

  it.each(operations.map((o) => [o.name, o] as const))("%s without a session is UNAUTHENTICATED and changes nothing", async (_name, op) => {
    const variables = await op.variables?.();
    const before = await snapshot();
    const r = await clients.anonymous.gql(op.query, variables);
    expect(errorCode(r)).toBe("UNAUTHENTICATED");
    expect(await snapshot()).toEqual(before);
  });

  it.each(operations.filter((o) => o.access === "ADMIN").map((o) => [o.name, o] as const))("%s as SUPPORT is FORBIDDEN and changes nothing", async (_name, op) => {
    const variables = await op.variables?.();
    const before = await snapshot();
    const r = await clients.SUPPORT.gql(op.query, variables);
    expect(errorCode(r)).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it.each(operations.filter((o) => o.access === "ANY").map((o) => [o.name, o] as const))("%s is allowed to SUPPORT", async (name, op) => {
    const r = await clients.SUPPORT.gql(op.query, await op.variables?.());
    if (name === "confirmTotpSetup" || name === "startTotpSetup") expect(errorCode(r)).toBe("BAD_USER_INPUT"); // allowed, but there is no authenticator / the code is wrong
    else expect(r.errors).toBeUndefined();
  });

  it.each(operations.map((o) => [o.name, o] as const))("%s is allowed to ADMIN", async (name, op) => {
    const r = await clients.ADMIN.gql(op.query, await op.variables?.());
    if (name === "confirmTotpSetup" || name === "startTotpSetup") expect(errorCode(r)).toBe("BAD_USER_INPUT");
    else if (op.allowedRefusal) expect(errorCode(r)).toBe(op.allowedRefusal);
    else expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  });

  it("SUPPORT's answers mask destinations; ADMIN's don't", async () => {
    await createStaff(gw, "viewer@example.com", "SUPPORT");
    const viewer = await AdminClient.signedIn(gw.url, "viewer@example.com");
    const q = `query($id: ID!) { verifications(filter: { ids: [$id] }) { data { destination destinationMasked } }
      deliveryAttempts(filter: { verificationId: $id }) { data { destination } } outboxMessages(filter: { verificationId: $id }) { data { recipient } } }`;
    await eventually(async () => ((await clients.ADMIN.gql(q, { id: verificationId })).data.deliveryAttempts.data.length ? true : undefined), "the delivery attempt");
    const s = (await viewer.gql(q, { id: verificationId })).data;
    const a = (await clients.ADMIN.gql(q, { id: verificationId })).data;
    expect(s.verifications.data[0]).toEqual({ destination: "+1******0111", destinationMasked: true });
    expect(a.verifications.data[0]).toEqual({ destination: "+14155550111", destinationMasked: false });
    expect(JSON.stringify(s)).not.toContain("4155550111");
    expect(JSON.stringify(a)).toContain("+14155550111");
  });
});
