import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, createStaffWithTotp } from "../helpers/admin";
import { runCli } from "../helpers/cli";
import { codeFromOutboxTable } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";

const PRODUCTION = { NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", OUTBOX_IN_PRODUCTION: "true" };
/** Each CLI run is a fresh Node process loading the whole gateway: seconds each on a busy machine. */
const CLI_TIMEOUT = 400_000;
const CREATE_APP = `mutation($i: AppInput!) { createApp(input: $i) { app { id } } }`;
const UPDATE_APP = `mutation($id: ID!, $i: AppInput!) { updateApp(id: $id, input: $i) { id codeLength maxAttempts ttlSeconds } }`;

/**
 * Production rules: app settings outside NIST SP 800-63B's bounds (a code under 6 digits, over 10
 * attempts, over 600 seconds) are refused by the CLI (exit 2) and the admin API
 * (BAD_USER_INPUT); apps saved earlier with such settings are named in the log at start-up and
 * run clamped to the bounds.
 */
describe("production: NIST bounds on app settings", () => {
  let dev: TestGateway;
  let prod: TestGateway;
  let admin: AdminClient;
  let loose: { id: string; key: string };
  let fine: { id: string; key: string };
  const apps = async () => (await prod.app.db.ds.query(`SELECT id, name, code_length, max_attempts, ttl_seconds FROM apps ORDER BY name`)) as Array<Record<string, unknown>>;

  beforeAll(async () => {
    // Saved in development, where the bounds don't apply (or before the rule existed)...
    // Role api: no worker of its own, or it could claim the production gateway's deliveries
    // and render them with the saved (unclamped) validity — a race this test once lost.
    dev = await startGateway({ role: "api" });
    loose = await dev.createApp({ name: "Loose", codeLength: 4, maxAttempts: 20, ttlSeconds: 3600, maxSends: 50 });
    fine = await dev.createApp({ name: "Fine", codeLength: 6, maxAttempts: 10, ttlSeconds: 600 });
    // ...then served by a production gateway over the same database.
    prod = await startGateway({ databaseUrl: dev.env.DATABASE_URL, env: PRODUCTION });
    admin = (await createStaffWithTotp(prod, "lead@example.com", "ADMIN")).client;
  });
  afterAll(async () => {
    await prod?.stop();
    await dev?.stop(); // drops the database
  });

  it("names each out-of-bounds app in the log at start-up, with what it runs with, and only those", () => {
    const named = prod.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg?.includes("outside NIST SP 800-63B's bounds"));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({
      level: 40, appId: loose.id, appName: "Loose",
      saved: { codeLength: 4, maxAttempts: 20, ttlSeconds: 3600 }, runsWith: { codeLength: 6, maxAttempts: 10, ttlSeconds: 600 },
    });
    expect(named[0].msg).toContain(loose.id);
    expect(JSON.stringify(named)).not.toContain(fine.id);
  });

  it("runs such an app clamped: 6-digit codes, 10 attempts, 600 seconds", async () => {
    const to = "+14155550181";
    const started = Date.now();
    const r = await gql(prod.url, loose.key, REQUEST_OTP, { input: { destination: to, channel: "SMS" } });
    expect(r.errors).toBeUndefined();
    const [v] = await prod.app.db.ds.query(`SELECT code_length, max_attempts, extract(epoch FROM expires_at) * 1000 AS expires FROM verifications WHERE id = $1`, [r.data.requestOtp.id]);
    expect(v.code_length).toBe(6);
    expect(v.max_attempts).toBe(10);
    expect(Number(v.expires) - started).toBeLessThanOrEqual(600_000 + 5_000);
    expect(Number(v.expires) - started).toBeGreaterThan(500_000);
    const code = await codeFromOutboxTable(prod.app.db.ds, to);
    expect(code).toMatch(/^\d{6}$/);
    const [{ body }] = await prod.app.db.ds.query(`SELECT body FROM outbox_messages WHERE recipient = $1`, [to]);
    expect(body).toMatch(/Valid 10 min\./); // the message tells the clamped validity, not the saved 60 minutes
    expect((await gql(prod.url, loose.key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } })).data.verifyOtp.status).toBe("APPROVED");
    // The stored settings are the operator's to fix: unchanged.
    expect((await apps()).find((a) => a.id === loose.id)).toMatchObject({ code_length: 4, max_attempts: 20, ttl_seconds: 3600 });
  });

  it("the admin API refuses settings outside the bounds with BAD_USER_INPUT naming the field, and changes nothing", async () => {
    const before = await apps();
    for (const [field, value] of [["codeLength", 5], ["maxAttempts", 11], ["ttlSeconds", 601]] as const) {
      const created = await admin.gql(CREATE_APP, { i: { name: `Bad ${field}`, [field]: value } });
      expect(errorCode(created), field).toBe("BAD_USER_INPUT");
      expect(created.errors![0].extensions!.field).toBe(field);
      expect(created.errors![0].message).toMatch(/NIST SP 800-63B/);
      const updated = await admin.gql(UPDATE_APP, { id: fine.id, i: { [field]: value } });
      expect(errorCode(updated), field).toBe("BAD_USER_INPUT");
      expect(updated.errors![0].extensions!.field).toBe(field);
    }
    // An app saved outside the bounds can't be saved again until it is brought within them.
    expect(errorCode(await admin.gql(UPDATE_APP, { id: loose.id, i: { name: "Loose, renamed" } }))).toBe("BAD_USER_INPUT");
    expect(await apps()).toEqual(before);
    const fixed = await admin.gql(UPDATE_APP, { id: loose.id, i: { codeLength: 6, maxAttempts: 10, ttlSeconds: 600 } });
    expect(fixed.data.updateApp).toMatchObject({ codeLength: 6, maxAttempts: 10, ttlSeconds: 600 });
    // The bounds themselves are allowed.
    expect((await admin.gql(CREATE_APP, { i: { name: "Edge", codeLength: 6, maxAttempts: 10, ttlSeconds: 600 } })).errors).toBeUndefined();
    // Put it back for the other tests' sake.
    await prod.app.db.ds.query(`UPDATE apps SET code_length = 4, max_attempts = 20, ttl_seconds = 3600 WHERE id = $1`, [loose.id]);
  });

  it("`app create` and `app settings` exit 2 with a clear message, and change nothing", async () => {
    const env = { ...prod.env };
    const before = await apps();
    // One run each (a CLI run loads the whole gateway): every bound broken, every one named.
    const bad = ["--code-length", "5", "--max-attempts", "11", "--ttl", "601"];
    const messages = [
      /code length must be at least 6 digits in production \(NIST SP 800-63B\)/,
      /max attempts must be at most 10 per verification in production/,
      /ttl must be at most 600 seconds in production/,
    ];
    for (const args of [["app", "create", "--name", "Bad", ...bad], ["app", "settings", "--id", fine.id, ...bad]]) {
      const r = runCli(args, env);
      expect(r.status, r.stderr).toBe(2);
      for (const m of messages) expect(r.stderr).toMatch(m);
    }
    expect(await apps()).toEqual(before);
    // Within the bounds, `app settings` changes them (and prints them).
    const ok = runCli(["app", "settings", "--id", fine.id, "--ttl", "300", "--max-attempts", "5"], env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ttlSeconds: 300, maxAttempts: 5, codeLength: 6 });
    // Outside production the same values are accepted (the general ranges still apply).
    const devOk = runCli(["app", "settings", "--id", fine.id, "--ttl", "900", "--code-length", "5"], dev.env);
    expect(devOk.status, devOk.stderr).toBe(0);
    expect((await apps()).find((a) => a.id === fine.id)).toMatchObject({ code_length: 5, ttl_seconds: 900, max_attempts: 5 });
  }, CLI_TIMEOUT);
});
