import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, BEGIN_ENROLMENT, FINISH_ENROLMENT, ME, STAFF_PASSWORD, codeAt, createStaff, enrolmentToken, secretOf, tokenOf } from "../helpers/admin";
import { SESSION_COOKIE, SessionStore } from "../../server/src/admin/auth/sessions";
import { runCli } from "../helpers/cli";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";

/**
 * First-user setup from the command line in production mode: `admin create`, staff of every role
 * without an authenticator refused at sign-in (ADMIN_REQUIRE_TOTP's default there), and the way
 * in — an enrolment link from `admin enrolment-link`, redeemed with the password and a first code.
 * Each test makes the users it signs in with.
 */
describe("admin setup in production", () => {
  let gw: TestGateway;
  const audit = async (email: string) =>
    (await gw.app.db.ds.query(`SELECT a.action FROM audit_log a JOIN admin_users u ON u.id::text = a.target_id WHERE u.email = $1 ORDER BY a.id`, [email])).map((r: { action: string }) => r.action);
  const create = (email: string, role: string, password = STAFF_PASSWORD) =>
    runCli(["admin", "create", "--email", email, "--role", role, "--password-stdin"], gw.env, undefined, `${password}\n`);

  beforeAll(async () => {
    // Behind HTTPS (PUBLIC_URL), so the session cookie must be Secure. ADMIN_REQUIRE_TOTP is left unset: production's default.
    gw = await startGateway({ env: { NODE_ENV: "production", OUTBOX_IN_PRODUCTION: "true", PUBLIC_URL: "https://otp.example.com", ADMIN_LOGIN_MAX_PER_IP: "1000" } });
  });
  afterAll(() => gw?.stop());

  it("`otp-gateway admin create --password-stdin` makes a SUPPORT user, who can't sign in with the password alone; bad input changes nothing", async () => {
    const ok = create("first@example.com", "SUPPORT");
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Created SUPPORT first@example\.com/);
    expect(ok.stdout + ok.stderr).not.toContain(STAFF_PASSWORD);

    const short = create("second@example.com", "ADMIN", "short");
    expect(short.status).not.toBe(0);
    expect(short.stderr).toMatch(/at least 12 characters/);
    expect(create("third@example.com", "ROOT").status).not.toBe(0);
    const dup = create("FIRST@example.com", "ADMIN");
    expect(dup.status).not.toBe(0);
    expect(dup.stderr).toMatch(/exists/);
    expect(await gw.app.db.ds.query(`SELECT email FROM admin_users WHERE email IN ('second@example.com', 'third@example.com')`)).toEqual([]);
    expect(await gw.app.db.ds.query(`SELECT email FROM admin_users WHERE lower(email) = 'first@example.com'`)).toEqual([{ email: "first@example.com" }]);

    // Production rules: every staff role signs in with an authenticator, SUPPORT included.
    const c = new AdminClient(gw.url);
    expect((await c.login("first@example.com")).data.login).toEqual({ status: "TOTP_SETUP_REQUIRED", user: null });
    expect(c.cookie).toBeNull();
    expect((await c.gql(ME)).data.me).toBeNull();
    expect(await audit("first@example.com")).toEqual(["staff.create", "staff.login_refused"]);
    const [row] = await gw.app.db.ds.query(`SELECT actor_email, after->>'email' AS email FROM audit_log WHERE action = 'staff.create' AND after->>'email' = 'first@example.com'`);
    expect(row.actor_email).toMatch(/^cli:/);
  }, 120_000);

  it("an ADMIN without an authenticator is refused: no session, no secret handed to whoever knows the password, and audited", async () => {
    await createStaff(gw, "bare@example.com", "ADMIN");
    const c = new AdminClient(gw.url);
    for (const code of [undefined, "123456"]) {
      const r = await c.login("bare@example.com", STAFF_PASSWORD, code);
      expect(r.data.login).toEqual({ status: "TOTP_SETUP_REQUIRED", user: null });
      expect(c.cookie).toBeNull();
    }
    expect((await c.gql(ME)).data.me).toBeNull();
    expect(errorCode(await c.gql(`{ apps { total } }`))).toBe("UNAUTHENTICATED");
    const [user] = await gw.app.db.ds.query(`SELECT totp_secret_cipher, totp_pending_cipher FROM admin_users WHERE email = 'bare@example.com'`);
    expect(user).toEqual({ totp_secret_cipher: null, totp_pending_cipher: null });
    expect(await audit("bare@example.com")).toEqual(["staff.login_refused", "staff.login_refused"]);
    // The wrong password is still just wrong (the refusal above tells nothing to someone without it).
    expect(errorCode(await c.login("bare@example.com", "a wrong password here"))).toBe("UNAUTHENTICATED");
  });

  it("`otp-gateway admin enrolment-link` → password → scan → first code: enrolled and signed in; the link works once; every step audited", async () => {
    expect(create("lead@example.com", "ADMIN").status).toBe(0);
    const out = runCli(["admin", "enrolment-link", "--email", "lead@example.com"], gw.env);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    const url = /https:\/\/otp\.example\.com\/admin\/#\/login\?enrol=[A-Za-z0-9_-]{43}/.exec(out.stdout)?.[0];
    expect(url, out.stdout).toBeDefined();
    expect(out.stdout).toMatch(/valid until \d{4}-\d\d-\d\dT/);
    const token = tokenOf(url!);
    // Only the token's hash is stored.
    const [dump] = await gw.app.db.ds.query(`SELECT string_agg(to_jsonb(l.*)::text, ' ') AS text FROM admin_enrolment_links l`);
    expect(dump.text).not.toContain(token);

    const c = new AdminClient(gw.url);
    expect(errorCode(await c.gql(BEGIN_ENROLMENT, { token, email: "lead@example.com", password: "not the password at all" }))).toBe("UNAUTHENTICATED");
    const begun = await c.gql(BEGIN_ENROLMENT, { token, email: "lead@example.com", password: STAFF_PASSWORD });
    const { uri, qrCodeSvg } = begun.data.beginTotpEnrolment;
    expect(uri).toMatch(/^otpauth:\/\/totp\/OTP%20Gateway:lead%40example\.com\?/);
    expect(qrCodeSvg).toMatch(/^<svg/);
    const secret = secretOf(uri);
    const [pending] = await gw.app.db.ds.query(`SELECT encode(pending_cipher, 'escape') AS c FROM admin_enrolment_links`);
    expect(pending.c).not.toContain(secret); // sealed

    const wrong = await c.gql(FINISH_ENROLMENT, { token, email: "lead@example.com", password: STAFF_PASSWORD, code: "000000" });
    expect(errorCode(wrong)).toBe("BAD_USER_INPUT");
    expect(wrong.errors![0].extensions!.field).toBe("code");
    const enrolCode = await codeAt(secret);
    const done = await c.gql(FINISH_ENROLMENT, { token, email: "lead@example.com", password: STAFF_PASSWORD, code: enrolCode });
    expect(done.data.finishTotpEnrolment).toMatchObject({ status: "OK", user: { email: "lead@example.com", totpEnabled: true } });
    expect(c.lastSetCookie).toMatch(/; Secure/i);
    expect((await c.gql(ME)).data.me).toMatchObject({ email: "lead@example.com", role: "ADMIN" });

    // Used up: neither step works again.
    for (const q of [BEGIN_ENROLMENT, FINISH_ENROLMENT]) {
      const again = await new AdminClient(gw.url).gql(q, { token, email: "lead@example.com", password: STAFF_PASSWORD, code: await codeAt(secret, 1) });
      expect(errorCode(again)).toBe("BAD_USER_INPUT");
      expect(again.errors![0].extensions!.field).toBe("token");
    }
    // From now on sign-in takes a code, once each.
    const next = new AdminClient(gw.url);
    expect((await next.login("lead@example.com")).data.login).toEqual({ status: "TOTP_REQUIRED", user: null });
    expect(errorCode(await next.login("lead@example.com", STAFF_PASSWORD, enrolCode))).toBe("UNAUTHENTICATED");
    expect((await next.login("lead@example.com", STAFF_PASSWORD, await codeAt(secret, 1))).data.login.status).toBe("OK");
    const [row] = await gw.app.db.ds.query(`SELECT encode(totp_secret_cipher, 'escape') AS c FROM admin_users WHERE email = 'lead@example.com'`);
    expect(row.c).not.toContain(secret);

    expect(await audit("lead@example.com")).toEqual([
      "staff.create", "staff.enrolment_link_issued", "staff.totp_enrolment_started", "staff.totp_enrolled", "staff.login",
      "staff.enrolment_refused", "staff.enrolment_refused", "staff.login",
    ]);
    const [issued] = await gw.app.db.ds.query(`SELECT actor_email, after FROM audit_log WHERE action = 'staff.enrolment_link_issued' AND target_id = (SELECT id::text FROM admin_users WHERE email = 'lead@example.com')`);
    expect(issued.actor_email).toMatch(/^cli:/);
    expect(JSON.stringify(await gw.app.db.ds.query(`SELECT * FROM audit_log`))).not.toContain(token);
  }, 120_000);

  it("a session without an authenticator (from before the policy, or after a reset) opens nothing, whatever the role", async () => {
    const bare = await createStaff(gw, "old-session@example.com", "ADMIN");
    const c = new AdminClient(gw.url);
    c.cookie = `${SESSION_COOKIE}=${await new SessionStore(gw.app.db.ds, { idleSeconds: 600, maxSeconds: 3600 }).create(bare.id, null, null)}`;
    expect((await c.gql(ME)).data.me).toBeNull();
    expect(errorCode(await c.gql(`{ apps { total } }`))).toBe("UNAUTHENTICATED");
    // SUPPORT too: the rule is every staff role's.
    const agent = await createStaff(gw, "old-agent@example.com", "SUPPORT");
    const s = new AdminClient(gw.url);
    s.cookie = `${SESSION_COOKIE}=${await new SessionStore(gw.app.db.ds, { idleSeconds: 600, maxSeconds: 3600 }).create(agent.id, null, null)}`;
    expect((await s.gql(ME)).data.me).toBeNull();
    expect(errorCode(await s.gql(`{ verifications { total } }`))).toBe("UNAUTHENTICATED");
    // Once enrolled (through a link), the same agent signs in with a code.
    const token = await enrolmentToken(gw, "old-agent@example.com");
    const begun = await s.gql(BEGIN_ENROLMENT, { token, email: "old-agent@example.com", password: STAFF_PASSWORD });
    const secret = secretOf(begun.data.beginTotpEnrolment.uri);
    const done = await s.gql(FINISH_ENROLMENT, { token, email: "old-agent@example.com", password: STAFF_PASSWORD, code: await codeAt(secret) });
    expect(done.data.finishTotpEnrolment.status).toBe("OK");
    expect(s.lastSetCookie).toMatch(/; Secure/i);
    expect((await s.gql(ME)).data.me).toMatchObject({ email: "old-agent@example.com", role: "SUPPORT" });
  });

  it("`admin enrolment-link` for an unknown address fails and changes nothing", () => {
    const r = runCli(["admin", "enrolment-link", "--email", "ghost@example.com"], gw.env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/No dashboard user/);
  }, 60_000);
});
