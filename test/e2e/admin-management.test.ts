import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Provider } from "../../server/src/providers/provider";
import { Channel } from "../../server/src/verification/enums";
import { AdminClient, AUDIT, createStaff, createStaffWithTotp } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

const APP_FIELDS = `id name codeLength ttlSeconds maxAttempts resendCooldownSeconds maxSends hourlyBudget countries voiceCountries defaultLocale fallbackChannel testDestinations { destination code outcome } limits keys { id hint revokedAt }`;

/** What ADMINs manage: apps and their keys, staff; every change audited before and after. And the dashboard's own HTTP surface. */
describe("admin management", () => {
  let gw: TestGateway;
  let admin: AdminClient;
  const count = async (sql: string, params: unknown[] = []) => (await gw.app.db.ds.query(sql, params))[0].n as number;

  beforeAll(async () => {
    gw = await startGateway();
    await createStaff(gw, "admin@example.com", "ADMIN");
    admin = await AdminClient.signedIn(gw.url, "admin@example.com");
  });
  afterAll(() => gw?.stop());

  it("creates an app whose key is shown once and works, edits its settings, rotates and revokes keys — all audited", async () => {
    const created = await admin.gql(`mutation($i: AppInput!) { createApp(input: $i) { apiKey app { ${APP_FIELDS} } } }`, {
      i: { name: "Checkout", maxSends: 3, countries: ["us", "gb"], fallbackChannel: "VOICE", testDestinations: [{ destination: "+1 (415) 555-0000", code: "123456" }] },
    });
    expect(created.errors).toBeUndefined();
    const { apiKey, app } = created.data.createApp;
    expect(app).toMatchObject({
      name: "Checkout", maxSends: 3, countries: ["US", "GB"], fallbackChannel: "VOICE", codeLength: 6, limits: "{}",
      testDestinations: [{ destination: "+14155550000", code: "123456", outcome: "DELIVERED" }],
    });
    expect(app.keys).toHaveLength(1);
    expect(apiKey).toContain(app.keys[0].id);
    expect(app.keys[0].hint).toBe(`otpk_${app.keys[0].id}_…`);
    expect((await gql(gw.url, apiKey, REQUEST_OTP, { input: { destination: "+14155550001", channel: "SMS" } })).data.requestOtp.status).toBe("PENDING");
    // The key is never readable again.
    expect(JSON.stringify((await admin.gql(`query($id: ID!) { app(id: $id) { ${APP_FIELDS} } }`, { id: app.id })).data)).not.toContain(apiKey.slice(22));

    const updated = await admin.gql(`mutation($id: ID!, $i: AppInput!) { updateApp(id: $id, input: $i) { ${APP_FIELDS} } }`, {
      id: app.id, i: { name: "Checkout EU", ttlSeconds: 120, hourlyBudget: 500, countries: [], fallbackChannel: null, limits: `{"sendsPerIp": {"max": 20, "windowSeconds": 3600}}` },
    });
    expect(updated.data.updateApp).toMatchObject({
      name: "Checkout EU", ttlSeconds: 120, hourlyBudget: 500, countries: [], fallbackChannel: null, maxSends: 3,
      testDestinations: [{ destination: "+14155550000", code: "123456" }],
    });
    expect(JSON.parse(updated.data.updateApp.limits)).toEqual({ sendsPerIp: { max: 20, windowSeconds: 3600 } });

    const rotated = await admin.gql(`mutation($a: ID!, $k: ID!) { rotateAppKey(appId: $a, keyId: $k) { apiKey revokedKeyId app { keys { id revokedAt } } } }`, { a: app.id, k: app.keys[0].id });
    const newKey = rotated.data.rotateAppKey.apiKey;
    expect(rotated.data.rotateAppKey.revokedKeyId).toBe(app.keys[0].id);
    expect(errorCode(await gql(gw.url, apiKey, REQUEST_OTP, { input: { destination: "+14155550002", channel: "SMS" } }))).toBe("UNAUTHENTICATED");
    expect((await gql(gw.url, newKey, REQUEST_OTP, { input: { destination: "+14155550003", channel: "SMS" } })).data.requestOtp.status).toBe("PENDING");
    const newKeyId = rotated.data.rotateAppKey.app.keys.find((k: any) => !k.revokedAt).id;
    await admin.gql(`mutation($a: ID!, $k: ID!) { revokeAppKey(appId: $a, keyId: $k) { id } }`, { a: app.id, k: newKeyId });
    expect(errorCode(await gql(gw.url, newKey, REQUEST_OTP, { input: { destination: "+14155550004", channel: "SMS" } }))).toBe("UNAUTHENTICATED");

    const log = (await admin.gql(AUDIT, { filter: { targetId: app.id } })).data.auditLog.data.reverse();
    expect(log.map((e: any) => e.action)).toEqual(["app.create", "app.update", "app.rotate_key", "app.revoke_key"]);
    expect(JSON.parse(log[1].before)).toMatchObject({ name: "Checkout", ttlSeconds: 300, fallbackChannel: "VOICE" });
    expect(JSON.parse(log[1].after)).toMatchObject({ name: "Checkout EU", ttlSeconds: 120, fallbackChannel: null });
    expect(log.every((e: any) => e.actorEmail === "admin@example.com")).toBe(true);
    const everything = JSON.stringify(log);
    expect(everything).not.toContain(apiKey.slice(22));
    expect(everything).not.toContain(newKey.slice(22));
  });

  it.each([
    [{ name: "" }, "name"],
    [{ name: "X", ttlSeconds: 0 }, "ttlSeconds"],
    [{ name: "X", codeLength: 12 }, "codeLength"],
    [{ name: "X", countries: ["USA"] }, "countries"],
    [{ name: "X", testDestinations: [{ destination: "not a number", code: "123456" }] }, "testDestinations"],
    [{ name: "X", testDestinations: [{ destination: "+14155550000", code: "12" }] }, "testDestinations"],
    [{ name: "X", smsAppHash: "short" }, "smsAppHash"],
    [{ name: "X", defaultLocale: "xx" }, "defaultLocale"],
    [{ name: "X", limits: "{not json" }, "limits"],
    [{ name: "X", limits: `{"sendsPerIp": {"max": 0, "windowSeconds": 60}}` }, "limits"],
  ])("createApp %j is BAD_USER_INPUT on %s and creates nothing", async (input, field) => {
    const before = await count(`SELECT count(*)::int AS n FROM apps`);
    const r = await admin.gql(`mutation($i: AppInput!) { createApp(input: $i) { apiKey } }`, { i: input });
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe(field);
    expect(await count(`SELECT count(*)::int AS n FROM apps`)).toBe(before);
  });

  it("a bad update changes nothing and writes no audit row", async () => {
    const { id } = await gw.createApp({ name: "Stable", maxSends: 7 });
    const audited = await count(`SELECT count(*)::int AS n FROM audit_log`);
    const r = await admin.gql(`mutation($id: ID!) { updateApp(id: $id, input: { name: "Renamed", maxSends: 0 }) { id } }`, { id });
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(await gw.app.db.ds.query(`SELECT name, max_sends FROM apps WHERE id = $1`, [id])).toEqual([{ name: "Stable", max_sends: 7 }]);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log`)).toBe(audited);
    expect(errorCode(await admin.gql(`mutation { updateApp(id: "00000000-0000-0000-0000-000000000000", input: { name: "Ghost" }) { id } }`))).toBe("NOT_FOUND");
  });

  it("manages staff: create, change role (their sessions end), and never lose the last ADMIN", async () => {
    const created = await admin.gql(`mutation { createStaff(input: { email: "Helper@Example.com", role: SUPPORT, password: "a long enough password" }) { id email role } }`);
    const helperId = created.data.createStaff.id;
    expect(created.data.createStaff).toMatchObject({ email: "Helper@Example.com", role: "SUPPORT" });
    expect(errorCode(await admin.gql(`mutation { createStaff(input: { email: "helper@example.com", role: ADMIN, password: "a long enough password" }) { id } }`))).toBe("BAD_USER_INPUT");
    expect(errorCode(await admin.gql(`mutation { createStaff(input: { email: "weak@example.com", role: ADMIN, password: "short" }) { id } }`))).toBe("BAD_USER_INPUT");

    const helper = await AdminClient.signedIn(gw.url, "helper@example.com", "a long enough password");
    const promoted = await admin.gql(`mutation($id: ID!) { updateStaff(id: $id, input: { role: ADMIN }) { role } }`, { id: helperId });
    expect(promoted.data.updateStaff.role).toBe("ADMIN");
    expect((await helper.gql(`{ me { id } }`)).data.me).toBeNull();

    const me = (await admin.gql(`{ me { id } }`)).data.me.id;
    // Editing oneself without changing role, status or credentials keeps one's session.
    await admin.gql(`mutation($id: ID!) { updateStaff(id: $id, input: { role: ADMIN, disabled: false }) { id } }`, { id: me });
    expect((await admin.gql(`{ me { id } }`)).data.me.id).toBe(me);
    await admin.gql(`mutation($id: ID!) { updateStaff(id: $id, input: { disabled: true }) { id } }`, { id: helperId });
    const lastAdmin = await admin.gql(`mutation($id: ID!) { updateStaff(id: $id, input: { role: SUPPORT }) { role } }`, { id: me });
    expect(errorCode(lastAdmin)).toBe("BAD_USER_INPUT");
    expect((await admin.gql(`{ me { role } }`)).data.me.role).toBe("ADMIN");

    const log = (await admin.gql(AUDIT, { filter: { targetId: helperId } })).data.auditLog.data.reverse();
    expect(log.map((e: any) => e.action)).toEqual(["staff.create", "staff.login", "staff.update", "staff.update"]);
    expect(JSON.parse(log[2].before).role).toBe("SUPPORT");
    expect(JSON.parse(log[2].after).role).toBe("ADMIN");
    expect(JSON.stringify(log)).not.toMatch(/password_?hash|a long enough password/i);
  });

  it("serves the dashboard at /admin with deep links, security headers and no caching of the page", async () => {
    const page = await fetch(`${gw.url}/admin/`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const deep = await fetch(`${gw.url}/admin/verifications/123/show`, { headers: { accept: "text/html" } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="root">');
    const missingAsset = await fetch(`${gw.url}/admin/assets/nope.js`, { headers: { accept: "*/*" } });
    expect(missingAsset.status).toBe(404);
    const bare = await fetch(`${gw.url}/admin`, { redirect: "manual" });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe("/admin/");
  });
});

/** In production the outbox (which holds codes) is refused unless OUTBOX_IN_PRODUCTION is set. */
describe("admin outbox in production", () => {
  let gw: TestGateway;
  const quiet: Provider = { name: "quiet", channels: [Channel.SMS], send: async () => ({ providerMessageId: "q-1" }) };
  beforeAll(async () => {
    gw = await startGateway({ env: { NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com" }, providers: [quiet] });
  });
  afterAll(() => gw?.stop());

  it("is FORBIDDEN and reported off", async () => {
    // In production an ADMIN signs in with an authenticator (enrolled through a link).
    const { client: admin } = await createStaffWithTotp(gw, "admin@example.com", "ADMIN");
    expect((await admin.gql(`{ outboxEnabled }`)).data.outboxEnabled).toBe(false);
    expect(errorCode(await admin.gql(`{ outboxMessages { total } }`))).toBe("FORBIDDEN");
    // and production hides the schema
    expect(errorCode(await admin.gql(`{ __schema { types { name } } }`))).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});
