import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE, SessionStore } from "../../server/src/admin/auth/sessions";
import { loadConfig } from "../../server/src/config/config";
import { AdminClient, BEGIN_ENROLMENT, FINISH_ENROLMENT, ME, STAFF_PASSWORD, codeAt, createStaff, createStaffWithTotp, enrolmentToken, secretOf, tokenOf } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";

const START = `mutation($p: String!, $c: String!) { startTotpSetup(password: $p, currentCode: $c) { uri qrCodeSvg } }`;
const CONFIRM = `mutation($c: String!) { confirmTotpSetup(code: $c) { totpEnabled } }`;
const ISSUE = `mutation($id: ID!) { issueEnrolmentLink(staffId: $id) { url expiresAt staff { email } } }`;

/**
 * Staff MFA in production: enrolment links are single-use, expire, fit one person and are issued
 * by ADMINs only; replacing an authenticator takes the password and a current code; each step
 * leaves an audit row. Every test makes its own users.
 */
describe("staff MFA", () => {
  let gw: TestGateway;
  const db = () => gw.app.db.ds;
  const refusals = async (email: string) =>
    (await db().query(`SELECT after->>'reason' AS reason FROM audit_log WHERE action = 'staff.enrolment_refused' AND actor_email = $1 ORDER BY id`, [email])).map((r: any) => r.reason);
  const begin = (token: string, email: string, password = STAFF_PASSWORD) => new AdminClient(gw.url).gql(BEGIN_ENROLMENT, { token, email, password });

  beforeAll(async () => {
    gw = await startGateway({ env: { NODE_ENV: "production", OUTBOX_IN_PRODUCTION: "true", PUBLIC_URL: "https://otp.example.com", ADMIN_LOGIN_MAX_PER_IP: "1000", ADMIN_LOGIN_MAX_PER_EMAIL: "20" } });
  });
  afterAll(() => gw?.stop());

  it("ADMIN_REQUIRE_TOTP: on by default in production, off by default in development, `false` opts out", () => {
    const base = { OTP_SECRET: "x".repeat(40), PUBLIC_URL: "https://otp.example.com", DATABASE_URL: "postgres://localhost/x" };
    expect(loadConfig({ ...base, NODE_ENV: "production" }).admin.requireTotp).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: "production", ADMIN_REQUIRE_TOTP: "false" }).admin.requireTotp).toBe(false);
    expect(loadConfig({ ...base }).admin.requireTotp).toBe(false);
    expect(loadConfig({ ...base, ADMIN_REQUIRE_TOTP: "true" }).admin.requireTotp).toBe(true);
    expect(() => loadConfig({ ...base, ADMIN_REQUIRE_TOTP: "maybe" })).toThrow(/ADMIN_REQUIRE_TOTP/);
  });

  it("an expired link enrols nobody", async () => {
    await createStaff(gw, "late@example.com", "ADMIN");
    const token = await enrolmentToken(gw, "late@example.com");
    await db().query(`UPDATE admin_enrolment_links SET expires_at = now() - interval '1 second' WHERE user_id = (SELECT id FROM admin_users WHERE email = 'late@example.com')`);
    const r = await begin(token, "late@example.com");
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe("token");
    expect(await refusals("late@example.com")).toEqual(["expired"]);
    const [link] = await db().query(`SELECT pending_cipher FROM admin_enrolment_links l JOIN admin_users u ON u.id = l.user_id WHERE u.email = 'late@example.com'`);
    expect(link.pending_cipher).toBeNull();
  });

  it("a link fits only the person it was issued to: someone else's right password doesn't redeem it", async () => {
    await createStaff(gw, "owner@example.com", "ADMIN");
    await createStaff(gw, "other@example.com", "ADMIN");
    const token = await enrolmentToken(gw, "owner@example.com");
    const stolen = await begin(token, "other@example.com");
    expect(errorCode(stolen)).toBe("BAD_USER_INPUT");
    expect(stolen.errors![0].extensions!.field).toBe("token");
    expect(await refusals("other@example.com")).toEqual(["other_user"]);
    // Finishing with another's credentials fails the same way, even with a valid-looking code.
    expect(errorCode(await new AdminClient(gw.url).gql(FINISH_ENROLMENT, { token, email: "other@example.com", password: STAFF_PASSWORD, code: "123456" }))).toBe("BAD_USER_INPUT");
    // The owner's wrong password is refused before the link is looked at; their right one works.
    expect(errorCode(await begin(token, "owner@example.com", "not the owner's password"))).toBe("UNAUTHENTICATED");
    expect((await begin(token, "owner@example.com")).data.beginTotpEnrolment.uri).toMatch(/^otpauth:/);
    const [other] = await db().query(`SELECT totp_secret_cipher FROM admin_users WHERE email = 'other@example.com'`);
    expect(other.totp_secret_cipher).toBeNull();
  });

  it("a newer link replaces the older one", async () => {
    await createStaff(gw, "twice@example.com", "SUPPORT");
    const first = await enrolmentToken(gw, "twice@example.com");
    const second = await enrolmentToken(gw, "twice@example.com");
    expect(errorCode(await begin(first, "twice@example.com"))).toBe("BAD_USER_INPUT");
    expect(await refusals("twice@example.com")).toEqual(["replaced"]);
    expect((await begin(second, "twice@example.com")).errors).toBeUndefined();
  });

  it("a link keeps no copy of the secret once it is used or replaced", async () => {
    await createStaffWithTotp(gw, "sealed@example.com", "SUPPORT");
    const links = async (email: string) =>
      db().query(`SELECT used_at IS NOT NULL AS used, revoked_at IS NOT NULL AS revoked, pending_cipher FROM admin_enrolment_links l
                   JOIN admin_users u ON u.id = l.user_id WHERE u.email = $1 ORDER BY l.created_at`, [email]);
    expect(await links("sealed@example.com")).toEqual([{ used: true, revoked: false, pending_cipher: null }]);

    await createStaff(gw, "begun@example.com", "SUPPORT");
    const first = await enrolmentToken(gw, "begun@example.com");
    expect((await begin(first, "begun@example.com")).errors).toBeUndefined();
    expect((await links("begun@example.com"))[0].pending_cipher).not.toBeNull(); // scanned, not yet confirmed
    await enrolmentToken(gw, "begun@example.com");
    expect((await links("begun@example.com"))[0]).toEqual({ used: false, revoked: true, pending_cipher: null });
  });

  it("ADMINs issue links from the dashboard (audited, the token nowhere but in the answer); SUPPORT can't", async () => {
    const { client: admin } = await createStaffWithTotp(gw, "boss@example.com", "ADMIN");
    const agent = await createStaff(gw, "newhire@example.com", "SUPPORT");
    const r = await admin.gql(ISSUE, { id: agent.id });
    expect(r.data.issueEnrolmentLink).toMatchObject({ staff: { email: "newhire@example.com" } });
    const { url, expiresAt } = r.data.issueEnrolmentLink;
    expect(url).toMatch(/^https:\/\/otp\.example\.com\/admin\/#\/login\?enrol=[A-Za-z0-9_-]{43}$/);
    const hours = (new Date(expiresAt).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const [row] = await db().query(`SELECT actor_email, actor_role, target_id FROM audit_log WHERE action = 'staff.enrolment_link_issued' AND target_id = $1`, [agent.id]);
    expect(row).toEqual({ actor_email: "boss@example.com", actor_role: "ADMIN", target_id: agent.id });
    expect(JSON.stringify(await db().query(`SELECT * FROM audit_log`))).not.toContain(tokenOf(url));
    // The new hire enrols through it, and is signed in by doing so.
    const support = new AdminClient(gw.url);
    const begun = await support.gql(BEGIN_ENROLMENT, { token: tokenOf(url), email: "newhire@example.com", password: STAFF_PASSWORD });
    expect(begun.data.beginTotpEnrolment.uri).toMatch(/^otpauth:/);
    const code = await codeAt(secretOf(begun.data.beginTotpEnrolment.uri));
    expect((await support.gql(FINISH_ENROLMENT, { token: tokenOf(url), email: "newhire@example.com", password: STAFF_PASSWORD, code })).data.finishTotpEnrolment.status).toBe("OK");

    const before = (await db().query(`SELECT count(*)::int AS n FROM admin_enrolment_links`))[0].n;
    expect(errorCode(await support.gql(ISSUE, { id: agent.id }))).toBe("FORBIDDEN");
    expect((await db().query(`SELECT count(*)::int AS n FROM admin_enrolment_links`))[0].n).toBe(before);
  });

  it("replacing an authenticator takes the password and a current code; the old one stops working and other sessions end", async () => {
    const { client, secret } = await createStaffWithTotp(gw, "phone@example.com", "ADMIN");
    // Another device's session, as sign-in makes one.
    const userId = (await db().query(`SELECT id FROM admin_users WHERE email = 'phone@example.com'`))[0].id;
    const elsewhere = new AdminClient(gw.url);
    elsewhere.cookie = `${SESSION_COOKIE}=${await new SessionStore(db(), { idleSeconds: 600, maxSeconds: 3600 }).create(userId, null, null)}`;
    expect((await elsewhere.gql(ME)).data.me.email).toBe("phone@example.com");
    const noSetup = async () => (await db().query(`SELECT totp_pending_cipher FROM admin_users WHERE id = $1`, [userId]))[0].totp_pending_cipher === null;

    // A session alone is not enough: the password and a code from the current authenticator.
    const wrongPassword = await client.gql(START, { p: "not my password at all", c: await codeAt(secret, 1) });
    expect(errorCode(wrongPassword)).toBe("BAD_USER_INPUT");
    expect(wrongPassword.errors![0].extensions!.field).toBe("password");
    const wrongCode = await client.gql(START, { p: STAFF_PASSWORD, c: "000000" });
    expect(errorCode(wrongCode)).toBe("BAD_USER_INPUT");
    expect(wrongCode.errors![0].extensions!.field).toBe("currentCode");
    // The code that enrolled was used once already.
    expect(errorCode(await client.gql(START, { p: STAFF_PASSWORD, c: await codeAt(secret, 0) }))).toBe("BAD_USER_INPUT");
    expect(await noSetup()).toBe(true);
    expect(errorCode(await client.gql(CONFIRM, { c: "123456" }))).toBe("BAD_USER_INPUT");

    const started = await client.gql(START, { p: STAFF_PASSWORD, c: await codeAt(secret, 1) });
    expect(started.errors).toBeUndefined();
    expect(started.data.startTotpSetup.qrCodeSvg).toMatch(/^<svg/);
    const fresh = secretOf(started.data.startTotpSetup.uri);
    expect(fresh).not.toBe(secret);
    expect(errorCode(await client.gql(CONFIRM, { c: "000000" }))).toBe("BAD_USER_INPUT");
    expect((await client.gql(CONFIRM, { c: await codeAt(fresh) })).data.confirmTotpSetup.totpEnabled).toBe(true);
    expect((await client.gql(ME)).data.me.email).toBe("phone@example.com"); // this session stays
    expect((await elsewhere.gql(ME)).data.me).toBeNull(); // the other one ended

    const next = new AdminClient(gw.url);
    expect(errorCode(await next.login("phone@example.com", STAFF_PASSWORD, await codeAt(secret, 1)))).toBe("UNAUTHENTICATED");
    expect((await next.login("phone@example.com", STAFF_PASSWORD, await codeAt(fresh, 1))).data.login.status).toBe("OK");
    const actions = (await db().query(`SELECT action FROM audit_log WHERE actor_email = 'phone@example.com' AND action LIKE 'staff.totp_replace%' ORDER BY id`)).map((r: any) => r.action);
    expect(actions).toEqual(["staff.totp_replacement_refused", "staff.totp_replacement_refused", "staff.totp_replacement_started", "staff.totp_replaced"]);
  });

  it("in production SUPPORT, like ADMIN, signs in only with an authenticator: without one, TOTP_SETUP_REQUIRED and no session", async () => {
    await createStaff(gw, "plain@example.com", "SUPPORT");
    const c = new AdminClient(gw.url);
    for (const code of [undefined, "123456"]) {
      expect((await c.login("plain@example.com", STAFF_PASSWORD, code)).data.login).toEqual({ status: "TOTP_SETUP_REQUIRED", user: null });
      expect(c.cookie).toBeNull();
    }
    expect(errorCode(await c.gql(START, { p: STAFF_PASSWORD, c: "123456" }))).toBe("UNAUTHENTICATED");
    const [user] = await db().query(`SELECT totp_secret_cipher, totp_pending_cipher FROM admin_users WHERE email = 'plain@example.com'`);
    expect(user).toEqual({ totp_secret_cipher: null, totp_pending_cipher: null });
    // With an authenticator (enrolled through a link), the code is asked of SUPPORT as of ADMIN.
    const { secret } = await createStaffWithTotp(gw, "agent-mfa@example.com", "SUPPORT");
    const next = new AdminClient(gw.url);
    expect((await next.login("agent-mfa@example.com")).data.login).toEqual({ status: "TOTP_REQUIRED", user: null });
    expect((await next.login("agent-mfa@example.com", STAFF_PASSWORD, await codeAt(secret, 1))).data.login.status).toBe("OK");
  });

  it("someone without an authenticator can't start one from a session: it takes an enrolment link (development, where SUPPORT may sign in without one)", async () => {
    const dev = await startGateway();
    try {
      await createStaff(dev, "plain@example.com", "SUPPORT");
      const c = await AdminClient.signedIn(dev.url, "plain@example.com");
      const r = await c.gql(START, { p: STAFF_PASSWORD, c: "123456" });
      expect(errorCode(r)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].extensions!.field).toBe("currentCode");
      expect(r.errors![0].message).toMatch(/enrolment link/);
    } finally {
      await dev.stop();
    }
  });
});
