import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, ME, STAFF_PASSWORD, createStaff } from "../helpers/admin";
import { runCli } from "../helpers/cli";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";

const secretOf = (uri: string) => new URL(uri).searchParams.get("secret")!;
/** A code from the authenticator for the step after `stepsAhead` 30-second steps (the server tolerates one step of drift). */
const codeAt = (secret: string, stepsAhead = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });

/** First-user setup from the command line, and the TOTP second factor required of ADMINs when configured. */
describe("admin setup and second factor", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    // Behind HTTPS (PUBLIC_URL), so the session cookie must be Secure.
    gw = await startGateway({ env: { ADMIN_REQUIRE_TOTP: "true", PUBLIC_URL: "https://otp.example.com" } });
  });
  afterAll(() => gw?.stop());

  it("`otp-gateway admin create --password-stdin` makes a user who can sign in; bad input changes nothing", () => {
    const env = { ...gw.env };
    const ok = runCli(["admin", "create", "--email", "first@example.com", "--role", "SUPPORT", "--password-stdin"], env, undefined, `${STAFF_PASSWORD}\n`);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/Created SUPPORT first@example\.com/);
    expect(ok.stdout + ok.stderr).not.toContain(STAFF_PASSWORD);

    const short = runCli(["admin", "create", "--email", "second@example.com", "--role", "ADMIN", "--password-stdin"], env, undefined, "short\n");
    expect(short.status).not.toBe(0);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const badRole = runCli(["admin", "create", "--email", "third@example.com", "--role", "ROOT", "--password-stdin"], env, undefined, `${STAFF_PASSWORD}\n`);
    expect(badRole.status).not.toBe(0);
    const dup = runCli(["admin", "create", "--email", "FIRST@example.com", "--role", "ADMIN", "--password-stdin"], env, undefined, `${STAFF_PASSWORD}\n`);
    expect(dup.status).not.toBe(0);
    expect(dup.stderr).toMatch(/exists/);
  }, 120_000);

  it("the CLI user signs in, and their creation is in the audit log", async () => {
    const c = await AdminClient.signedIn(gw.url, "first@example.com");
    expect((await c.gql(ME)).data.me).toMatchObject({ email: "first@example.com", role: "SUPPORT" });
    const rows = await gw.app.db.ds.query(`SELECT actor_email, after->>'email' AS email FROM audit_log WHERE action = 'staff.create'`);
    expect(rows).toEqual([{ actor_email: expect.stringMatching(/^cli:/), email: "first@example.com" }]);
    const users = await gw.app.db.ds.query(`SELECT email FROM admin_users ORDER BY email`);
    expect(users).toEqual([{ email: "first@example.com" }]);
  });

  it("an ADMIN without an authenticator enrolls at sign-in, then needs a fresh code every time", async () => {
    await createStaff(gw, "boss@example.com", "ADMIN");
    const c = new AdminClient(gw.url);
    const first = await c.login("boss@example.com");
    expect(first.data.login.status).toBe("TOTP_SETUP_REQUIRED");
    expect(first.data.login.user).toBeNull();
    expect(c.cookie).toBeNull();
    const uri = first.data.login.totpSetupUri as string;
    expect(uri).toMatch(/^otpauth:\/\/totp\/OTP%20Gateway:boss%40example\.com\?/);
    // Asking again shows the same pending secret (the user may not have scanned it yet).
    expect((await c.login("boss@example.com")).data.login.totpSetupUri).toBe(uri);
    const secret = secretOf(uri);

    expect(errorCode(await c.login("boss@example.com", STAFF_PASSWORD, "000000"))).toBe("UNAUTHENTICATED");
    const code = await codeAt(secret);
    const enrolled = await c.login("boss@example.com", STAFF_PASSWORD, code);
    expect(enrolled.data.login).toMatchObject({ status: "OK", user: { totpEnabled: true } });
    expect((await c.gql(ME)).data.me.email).toBe("boss@example.com");

    const next = new AdminClient(gw.url);
    expect((await next.login("boss@example.com")).data.login).toMatchObject({ status: "TOTP_REQUIRED", totpSetupUri: null });
    expect(next.cookie).toBeNull();
    // The code that enrolled can't be used again (replay within its window).
    expect(errorCode(await next.login("boss@example.com", STAFF_PASSWORD, code))).toBe("UNAUTHENTICATED");
    const later = await codeAt(secret, 1);
    expect((await next.login("boss@example.com", STAFF_PASSWORD, later)).data.login.status).toBe("OK");
    // The secret rests encrypted.
    const [row] = await gw.app.db.ds.query(`SELECT encode(totp_secret_cipher, 'escape') AS c FROM admin_users WHERE email = 'boss@example.com'`);
    expect(row.c).not.toContain(secret);
  });

  it("SUPPORT signs in without a second factor unless they enrolled one", async () => {
    const c = new AdminClient(gw.url);
    expect((await c.login("first@example.com")).data.login.status).toBe("OK");
    expect(c.lastSetCookie).toMatch(/; Secure/i);
    const setup = await c.gql(`mutation { startTotpSetup { uri } }`);
    const secret = secretOf(setup.data.startTotpSetup.uri);
    expect(errorCode(await c.gql(`mutation($c: String!) { confirmTotpSetup(code: $c) { totpEnabled } }`, { c: "123" }))).toBe("BAD_USER_INPUT");
    const confirmed = await c.gql(`mutation($c: String!) { confirmTotpSetup(code: $c) { totpEnabled } }`, { c: await codeAt(secret) });
    expect(confirmed.data.confirmTotpSetup.totpEnabled).toBe(true);
    expect((await new AdminClient(gw.url).login("first@example.com")).data.login.status).toBe("TOTP_REQUIRED");
  });
});
