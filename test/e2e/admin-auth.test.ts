import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, LOGIN, LOGOUT, ME, STAFF_PASSWORD, createStaff } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";

/** Signing in to the dashboard: passwords, session cookies and their lifetimes, login limits, CSRF, and no way in with an app key. */
describe("admin API authentication", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway({
      env: {
        ADMIN_SESSION_IDLE_SECONDS: "60", ADMIN_SESSION_MAX_SECONDS: "120",
        ADMIN_LOGIN_MAX_PER_EMAIL: "3", ADMIN_LOGIN_MAX_PER_IP: "8", TRUST_PROXY: "127.0.0.1",
      },
    });
    app = await gw.createApp({ name: "Shop" });
    await createStaff(gw, "admin@example.com", "ADMIN");
    await createStaff(gw, "support@example.com", "SUPPORT");
  });
  afterAll(() => gw?.stop());

  /** Each test speaks from its own client IP (through TRUST_PROXY), so per-IP login limits don't couple tests. */
  let ipSeq = 10;
  const client = () => new AdminClient(gw.url, { "x-forwarded-for": `198.51.100.${ipSeq++}` });
  const sessionRow = async (c: AdminClient) =>
    (await gw.app.db.ds.query(`SELECT s.* FROM admin_sessions s ORDER BY created_at DESC LIMIT 1`))[0];

  it("signs in with e-mail and password and sets an HttpOnly, SameSite=Strict cookie scoped to /admin", async () => {
    const c = client();
    expect((await c.gql(ME)).data.me).toBeNull();
    const r = await c.login("Support@Example.com");
    expect(r.data.login).toMatchObject({ status: "OK", user: { email: "support@example.com", role: "SUPPORT" } });
    expect(c.lastSetCookie).toMatch(/^otpg_admin_session=[A-Za-z0-9_-]{43};/);
    expect(c.lastSetCookie).toMatch(/HttpOnly/i);
    expect(c.lastSetCookie).toMatch(/SameSite=Strict/i);
    expect(c.lastSetCookie).toMatch(/Path=\/admin/);
    expect(c.lastSetCookie).not.toMatch(/Secure/i); // PUBLIC_URL is http here
    expect((await c.gql(ME)).data.me).toMatchObject({ email: "support@example.com", role: "SUPPORT" });
    // The database keeps the token's SHA-256, never the token.
    const token = c.cookie!.split("=")[1];
    const [row] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM admin_sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, [token]);
    expect(row.n).toBe(1);
    const [dump] = await gw.app.db.ds.query(`SELECT string_agg(to_jsonb(s.*)::text, ' ') AS text FROM admin_sessions s`);
    expect(dump.text).not.toContain(token);
  });

  it("refuses a wrong password and an unknown address alike, and sets no cookie", async () => {
    const c = client();
    const wrong = await c.login("support@example.com", "not the password at all");
    const unknown = await c.login("nobody@example.com", STAFF_PASSWORD);
    expect(errorCode(wrong)).toBe("UNAUTHENTICATED");
    expect(errorCode(unknown)).toBe("UNAUTHENTICATED");
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
    expect(c.cookie).toBeNull();
  });

  it("logout ends the session on the server, not just in the browser", async () => {
    const c = client();
    await c.login("admin@example.com");
    const stolen = c.cookie!;
    expect((await c.gql(LOGOUT)).data.logout).toBe(true);
    expect(c.cookie).toBeNull();
    const replay = new AdminClient(gw.url);
    replay.cookie = stolen;
    expect((await replay.gql(ME)).data.me).toBeNull();
    expect(errorCode(await replay.gql(`{ verifications { total } }`))).toBe("UNAUTHENTICATED");
  });

  it("a session idle longer than ADMIN_SESSION_IDLE_SECONDS is over; activity slides the window", async () => {
    const c = client();
    await c.login("support@example.com");
    const s = await sessionRow(c);
    await gw.app.db.ds.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '55 seconds' WHERE id = $1`, [s.id]);
    expect((await c.gql(ME)).data.me?.email).toBe("support@example.com"); // 55 s idle: still on, and the request slides it
    const [after] = await gw.app.db.ds.query(`SELECT extract(epoch FROM now() - last_seen_at) AS idle FROM admin_sessions WHERE id = $1`, [s.id]);
    expect(Number(after.idle)).toBeLessThan(30);
    await gw.app.db.ds.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '61 seconds' WHERE id = $1`, [s.id]);
    expect((await c.gql(ME)).data.me).toBeNull();
    expect(errorCode(await c.gql(`{ verifications { total } }`))).toBe("UNAUTHENTICATED");
    // and an expired session is not revived by later activity
    await gw.app.db.ds.query(`UPDATE admin_sessions SET last_seen_at = now() WHERE id = $1`, [s.id]);
    await gw.app.db.ds.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '61 seconds' WHERE id = $1`, [s.id]);
    expect((await c.gql(ME)).data.me).toBeNull();
  });

  it("background requests from a page nobody touches don't keep the session alive", async () => {
    const c = client();
    await c.login("support@example.com");
    const s = await sessionRow(c);
    await gw.app.db.ds.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '50 seconds' WHERE id = $1`, [s.id]);
    // The dashboard reports its user idle for 10 minutes: the request is served but slides nothing.
    expect((await c.gql(ME, {}, { "x-otpg-idle-seconds": "600" })).data.me?.email).toBe("support@example.com");
    const [row] = await gw.app.db.ds.query(`SELECT extract(epoch FROM now() - last_seen_at) AS idle FROM admin_sessions WHERE id = $1`, [s.id]);
    expect(Number(row.idle)).toBeGreaterThanOrEqual(50);
    await gw.app.db.ds.query(`UPDATE admin_sessions SET last_seen_at = now() - interval '61 seconds' WHERE id = $1`, [s.id]);
    expect((await c.gql(ME, {}, { "x-otpg-idle-seconds": "600" })).data.me).toBeNull();
  });

  it("a session older than ADMIN_SESSION_MAX_SECONDS is over however active it was", async () => {
    const c = client();
    await c.login("support@example.com");
    const s = await sessionRow(c);
    await gw.app.db.ds.query(`UPDATE admin_sessions SET created_at = now() - interval '115 seconds' WHERE id = $1`, [s.id]);
    expect((await c.gql(ME)).data.me?.email).toBe("support@example.com");
    await gw.app.db.ds.query(`UPDATE admin_sessions SET created_at = now() - interval '121 seconds', last_seen_at = now() WHERE id = $1`, [s.id]);
    expect((await c.gql(ME)).data.me).toBeNull();
  });

  it("disabling a user ends their sessions", async () => {
    await createStaff(gw, "leaver@example.com", "SUPPORT");
    const leaver = client();
    await leaver.login("leaver@example.com");
    const admin = client();
    await admin.login("admin@example.com");
    const id = (await leaver.gql(ME)).data.me.id;
    const r = await admin.gql(`mutation($id: ID!) { updateStaff(id: $id, input: { disabled: true }) { disabled } }`, { id });
    expect(r.data.updateStaff.disabled).toBe(true);
    expect((await leaver.gql(ME)).data.me).toBeNull();
    expect(errorCode(await client().login("leaver@example.com"))).toBe("UNAUTHENTICATED");
  });

  it("limits sign-in attempts per e-mail address, even with the right password from another IP", async () => {
    await createStaff(gw, "target@example.com", "SUPPORT");
    for (let i = 0; i < 3; i++) expect(errorCode(await client().login("target@example.com", `guess number ${i} wrong`))).toBe("UNAUTHENTICATED");
    const blocked = await client().login("target@example.com");
    expect(errorCode(blocked)).toBe("RATE_LIMITED");
    expect(blocked.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
    // Another address is unaffected, and the refusal is a block support can see.
    expect((await client().login("admin@example.com")).data.login.status).toBe("OK");
    const [block] = await gw.app.db.ds.query(`SELECT rule, key_masked FROM rate_limit_blocks WHERE rule = 'admin_login_per_email' AND key_masked = 't***@example.com'`);
    expect(block).toEqual({ rule: "admin_login_per_email", key_masked: "t***@example.com" });
  });

  it("a successful sign-in clears the address's failures", async () => {
    await createStaff(gw, "forgetful@example.com", "SUPPORT");
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect(errorCode(await client().login("forgetful@example.com", "wrong password here"))).toBe("UNAUTHENTICATED");
      expect((await client().login("forgetful@example.com")).data.login.status).toBe("OK");
    }
  });

  it("limits sign-in attempts per IP address across e-mail addresses", async () => {
    const ip = { "x-forwarded-for": "203.0.113.77" };
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 9; i++) codes.push(errorCode(await new AdminClient(gw.url, ip).login(`spray${i}@example.com`, "password123456")));
    expect(codes.slice(0, 8)).toEqual(Array(8).fill("UNAUTHENTICATED"));
    expect(codes[8]).toBe("RATE_LIMITED");
    // the right password from that IP is refused too; from another IP it works
    expect(errorCode(await new AdminClient(gw.url, ip).login("admin@example.com"))).toBe("RATE_LIMITED");
    expect((await client().login("admin@example.com")).data.login.status).toBe("OK");
  });

  it("never accepts an app's API key, and the session cookie opens nothing on the client API", async () => {
    const withKey = new AdminClient(gw.url, { authorization: `Bearer ${app.key}` });
    expect(errorCode(await withKey.gql(`{ verifications { total } }`))).toBe("UNAUTHENTICATED");
    expect(errorCode(await withKey.gql(`{ apps { total } }`))).toBe("UNAUTHENTICATED");
    expect((await withKey.gql(ME)).data.me).toBeNull();

    const admin = client();
    await admin.login("admin@example.com");
    const r = await gql(gw.url, null, REQUEST_OTP, { input: { destination: "+14155550101", channel: "SMS" } }, { cookie: admin.cookie! });
    expect(errorCode(r)).toBe("UNAUTHENTICATED");
    expect(errorCode(await gql(gw.url, null, GET_VERIFICATION, { id: crypto.randomUUID() }, { cookie: admin.cookie! }))).toBe("UNAUTHENTICATED");
  });

  it("refuses requests a cross-site form could send (CSRF), even with a valid session", async () => {
    const admin = client();
    await admin.login("admin@example.com");
    const before = (await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM apps`))[0].n;
    const mutation = `mutation { createApp(input: { name: "Evil" }) { apiKey } }`;
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await fetch(`${gw.url}/admin/graphql`, {
        method: "POST",
        headers: { "content-type": contentType, cookie: admin.cookie!, "x-forwarded-for": "198.51.100.200" },
        body: contentType.startsWith("application/x-www") ? `query=${encodeURIComponent(mutation)}` : JSON.stringify({ query: mutation }),
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const get = await fetch(`${gw.url}/admin/graphql?query=${encodeURIComponent(`{ apps { total } }`)}`, { headers: { cookie: admin.cookie! } });
    expect(get.status).toBe(400);
    expect((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM apps`))[0].n).toBe(before);
  });

  it("records sign-ins in the audit log, which refuses UPDATE and DELETE", async () => {
    await createStaff(gw, "audited@example.com", "SUPPORT");
    for (let i = 0; i < 2; i++) expect((await client().login("audited@example.com")).data.login.status).toBe("OK");
    const rows = await gw.app.db.ds.query(`SELECT action, actor_email, actor_role, ip FROM audit_log WHERE action = 'staff.login' AND actor_email = 'audited@example.com' ORDER BY id`);
    expect(rows).toEqual([
      { action: "staff.login", actor_email: "audited@example.com", actor_role: "SUPPORT", ip: expect.stringMatching(/^198\.51\.100\.\d+$/) },
      { action: "staff.login", actor_email: "audited@example.com", actor_role: "SUPPORT", ip: expect.stringMatching(/^198\.51\.100\.\d+$/) },
    ]);
    await expect(gw.app.db.ds.query(`UPDATE audit_log SET actor_email = 'someone-else' WHERE action = 'staff.login'`)).rejects.toThrow(/append-only/);
    await expect(gw.app.db.ds.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    await expect(gw.app.db.ds.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    expect((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE actor_email = 'someone-else'`))[0].n).toBe(0);
  });

  it("refuses a document with too many aliases (e.g. batched password guesses) before running any of it", async () => {
    const c = client();
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: login(email: "admin@example.com", password: "guess ${i} guess ${i}") { status }`).join(" ");
    const before = (await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n;
    const r = await c.gql(`mutation { ${aliases} }`);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect((await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM audit_log`))[0].n).toBe(before);
  });

  it("the login mutation validates its input", async () => {
    const r = await client().gql(LOGIN, { email: "admin@example.com", password: STAFF_PASSWORD, totpCode: "12ab" });
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe("totpCode");
  });
});
