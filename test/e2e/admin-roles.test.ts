import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, createStaff } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

type Access = "ANY" | "ADMIN";
interface Operation { name: string; access: Access; query: string; variables?: () => Record<string, unknown> }

/**
 * Every admin API operation against every role: no session is UNAUTHENTICATED, SUPPORT is
 * FORBIDDEN from ADMIN's operations (and changes nothing by trying), ADMIN may do everything.
 */
describe("admin API roles", () => {
  let gw: TestGateway;
  let shop: { id: string; key: string };
  let verificationId: string;
  let blockId: string;
  let supportId: string;
  let keyId: string;
  const clients: Record<"anonymous" | "SUPPORT" | "ADMIN", AdminClient> = {} as never;

  beforeAll(async () => {
    gw = await startGateway({ env: { ADMIN_LOGIN_MAX_PER_IP: "1000" } });
    shop = await gw.createApp({ name: "Shop", maxSends: 1 });
    keyId = (await gw.app.db.ds.query(`SELECT id FROM api_keys WHERE app_id = $1`, [shop.id]))[0].id;
    verificationId = (await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "+14155550111", channel: "SMS" } })).data.requestOtp.id;
    expect(errorCode(await gql(gw.url, shop.key, REQUEST_OTP, { input: { destination: "+14155550111", channel: "SMS" } }))).toBe("RATE_LIMITED");
    blockId = (await gw.app.db.ds.query(`SELECT id FROM rate_limit_blocks`))[0].id;
    supportId = (await createStaff(gw, "support@example.com", "SUPPORT")).id;
    await createStaff(gw, "admin@example.com", "ADMIN");
    clients.anonymous = new AdminClient(gw.url);
    clients.SUPPORT = await AdminClient.signedIn(gw.url, "support@example.com");
    clients.ADMIN = await AdminClient.signedIn(gw.url, "admin@example.com");
  });
  afterAll(() => gw?.stop());

  const list = (field: string, sel = "total") => `{ ${field} { ${sel} } }`;
  const operations: Operation[] = [
    { name: "verifications", access: "ANY", query: list("verifications") },
    { name: "verification", access: "ANY", query: `query($id: ID!) { verification(id: $id) { id timeline { kind } } }`, variables: () => ({ id: verificationId }) },
    { name: "revealDestination", access: "ANY", query: `mutation($id: ID!) { revealDestination(verificationId: $id, reason: "role matrix check") { destination } }`, variables: () => ({ id: verificationId }) },
    { name: "deliveryAttempts", access: "ANY", query: list("deliveryAttempts") },
    { name: "blocks", access: "ANY", query: list("blocks") },
    { name: "block", access: "ANY", query: `query($id: ID!) { block(id: $id) { id } }`, variables: () => ({ id: blockId }) },
    { name: "liftBlock", access: "ANY", query: `mutation($id: ID!) { liftBlock(id: $id, reason: "role matrix check") { active } }`, variables: () => ({ id: blockId }) },
    { name: "providers", access: "ANY", query: list("providers") },
    { name: "provider", access: "ANY", query: `{ provider(id: "outbox:SMS") { id } }` },
    { name: "dashboard", access: "ANY", query: `{ dashboard(days: 7) { unit } }` },
    { name: "appOptions", access: "ANY", query: `{ appOptions { id name } }` },
    { name: "outboxEnabled", access: "ANY", query: `{ outboxEnabled }` },
    { name: "outboxMessages", access: "ANY", query: list("outboxMessages") },
    { name: "startTotpSetup", access: "ANY", query: `mutation { startTotpSetup { uri } }` },
    { name: "confirmTotpSetup", access: "ANY", query: `mutation { confirmTotpSetup(code: "000000") { id } }` },
    { name: "apps", access: "ADMIN", query: list("apps") },
    { name: "app", access: "ADMIN", query: `query($id: ID!) { app(id: $id) { id keys { id } } }`, variables: () => ({ id: shop.id }) },
    { name: "createApp", access: "ADMIN", query: `mutation { createApp(input: { name: "Made in the matrix" }) { apiKey app { id } } }` },
    { name: "updateApp", access: "ADMIN", query: `mutation($id: ID!) { updateApp(id: $id, input: { maxSends: 4 }) { maxSends } }`, variables: () => ({ id: shop.id }) },
    { name: "rotateAppKey", access: "ADMIN", query: `mutation($a: ID!, $k: ID!) { rotateAppKey(appId: $a, keyId: $k) { apiKey } }`, variables: () => ({ a: shop.id, k: keyId }) },
    { name: "revokeAppKey", access: "ADMIN", query: `mutation($a: ID!, $k: ID!) { revokeAppKey(appId: $a, keyId: $k) { id } }`, variables: () => ({ a: shop.id, k: keyId }) },
    { name: "staffUsers", access: "ADMIN", query: list("staffUsers") },
    { name: "staffUser", access: "ADMIN", query: `query($id: ID!) { staffUser(id: $id) { email } }`, variables: () => ({ id: supportId }) },
    { name: "createStaff", access: "ADMIN", query: `mutation { createStaff(input: { email: "new@example.com", role: SUPPORT, password: "a long enough password" }) { id } }` },
    { name: "updateStaff", access: "ADMIN", query: `mutation($id: ID!) { updateStaff(id: $id, input: { role: ADMIN }) { role } }`, variables: () => ({ id: supportId }) },
    { name: "auditLog", access: "ADMIN", query: list("auditLog") },
    { name: "auditEntry", access: "ADMIN", query: `{ auditEntry(id: "1") { id } }` },
  ];

  /** What a refused operation must not have changed. */
  const snapshot = async () => {
    const [row] = await gw.app.db.ds.query(`SELECT
      (SELECT count(*)::int FROM apps) AS apps, (SELECT count(*)::int FROM api_keys WHERE revoked_at IS NULL) AS live_keys,
      (SELECT max_sends FROM apps WHERE id = $1) AS max_sends, (SELECT count(*)::int FROM admin_users) AS staff,
      (SELECT role FROM admin_users WHERE id = $2) AS support_role,
      (SELECT count(*)::int FROM audit_log WHERE action NOT IN ('staff.login')) AS audited`, [shop.id, supportId]);
    return row;
  };

  it("covers every query and mutation of the schema", async () => {
    const { buildAdminSchema } = await import("../../server/src/admin/schema");
    const schema = await buildAdminSchema();
    const all = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    const open = ["me", "login", "logout"];
    expect(new Set(operations.map((o) => o.name))).toEqual(new Set(all.filter((n) => !open.includes(n))));
  });

  it.each(operations.map((o) => [o.name, o] as const))("%s without a session is UNAUTHENTICATED and changes nothing", async (_name, op) => {
    const before = await snapshot();
    const r = await clients.anonymous.gql(op.query, op.variables?.());
    expect(errorCode(r)).toBe("UNAUTHENTICATED");
    expect(await snapshot()).toEqual(before);
  });

  it.each(operations.filter((o) => o.access === "ADMIN").map((o) => [o.name, o] as const))("%s as SUPPORT is FORBIDDEN and changes nothing", async (_name, op) => {
    const before = await snapshot();
    const r = await clients.SUPPORT.gql(op.query, op.variables?.());
    expect(errorCode(r)).toBe("FORBIDDEN");
    expect(await snapshot()).toEqual(before);
  });

  it.each(operations.filter((o) => o.access === "ANY").map((o) => [o.name, o] as const))("%s is allowed to SUPPORT", async (name, op) => {
    const r = await clients.SUPPORT.gql(op.query, op.variables?.());
    if (name === "confirmTotpSetup") expect(errorCode(r)).toBe("BAD_USER_INPUT"); // allowed, but the code is wrong
    else expect(r.errors).toBeUndefined();
  });

  it.each(operations.map((o) => [o.name, o] as const))("%s is allowed to ADMIN", async (name, op) => {
    const r = await clients.ADMIN.gql(op.query, op.variables?.());
    if (name === "confirmTotpSetup") expect(errorCode(r)).toBe("BAD_USER_INPUT");
    else if (name === "revokeAppKey") expect(errorCode(r)).toBe("BAD_USER_INPUT"); // rotateAppKey (before it) already revoked that key
    else if (name === "liftBlock") expect(errorCode(r)).toBe("BAD_USER_INPUT"); // SUPPORT lifted it already
    else if (name === "auditEntry") expect(r.data.auditEntry.id).toBe("1");
    else expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  });

  it("SUPPORT's answers mask destinations; ADMIN's don't", async () => {
    await createStaff(gw, "viewer@example.com", "SUPPORT");
    const viewer = await AdminClient.signedIn(gw.url, "viewer@example.com");
    const q = `{ verifications { data { destination destinationMasked } } deliveryAttempts { data { destination } } outboxMessages { data { recipient } } }`;
    const s = (await viewer.gql(q)).data;
    const a = (await clients.ADMIN.gql(q)).data;
    expect(s.verifications.data[0]).toEqual({ destination: "+1******0111", destinationMasked: true });
    expect(a.verifications.data[0]).toEqual({ destination: "+14155550111", destinationMasked: false });
    expect(JSON.stringify(s)).not.toContain("4155550111");
    expect(JSON.stringify(a)).toContain("+14155550111");
  });
});
