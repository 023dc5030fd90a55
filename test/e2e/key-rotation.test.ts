import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, AUDIT, createStaff } from "../helpers/admin";
import { runCli } from "../helpers/cli";
import { eventually } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode, gql } from "../helpers/graphql-client";

const TYPENAME = "{ __typename }";
/** Each CLI run starts a Node process that loads the whole gateway: seconds apiece on a loaded two-core machine. */
const CLI_TIMEOUT = 120_000;

/**
 * Rotating an app's API key without downtime (contract "API keys"): `add-key` issues a second
 * key while the first keeps working; `revoke-key` then revokes every key but the newest;
 * `--key` revokes one, `--all` every one. The dashboard's mutations follow the same rule. A
 * revoked key is refused by the very next request of the process that revoked it, and by every
 * other process within the NOTIFY's delivery (never later than the key cache's lifetime).
 */
describe("API key rotation", () => {
  let gw: TestGateway;
  let other: TestGateway;
  let admin: AdminClient;
  const cli = (args: string[]) => runCli(args, { DATABASE_URL: gw.env.DATABASE_URL, OTP_SECRET: gw.env.OTP_SECRET, DATA_DIR: gw.env.DATA_DIR });
  const works = async (key: string, url = gw.url) => errorCode(await gql(url, key, TYPENAME)) === undefined;
  const refusedSoon = (key: string, url: string, ms: number) =>
    eventually(async () => (errorCode(await gql(url, key, TYPENAME)) === "UNAUTHENTICATED" ? true : undefined), `the revoked key to be refused at ${url}`, ms);
  const liveKeys = async (appId: string) =>
    (await gw.app.db.ds.query(`SELECT id FROM api_keys WHERE app_id = $1 AND revoked_at IS NULL ORDER BY created_at`, [appId])).map((r: { id: string }) => r.id);
  /** Key changes without their NOTIFY: what a process that revoked relies on must then be its own cache, not the round trip. */
  const withoutNotify = async (fn: () => Promise<void>) => {
    await gw.app.db.ds.query(`ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed`);
    try {
      await fn();
    } finally {
      await gw.app.db.ds.query(`ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed`);
    }
  };

  beforeAll(async () => {
    gw = await startGateway();
    // A second gateway process over the same database, with a short key-cache lifetime so that its bound can be seen.
    other = await startGateway({ databaseUrl: gw.env.DATABASE_URL, keyCacheTtlMs: 1500 });
    await createStaff(gw, "keys-admin@example.com", "ADMIN");
    admin = await AdminClient.signedIn(gw.url, "keys-admin@example.com");
  });
  afterAll(async () => {
    await other?.stop();
    await gw?.stop();
  });

  it("add-key, deploy, revoke-key: both keys work in between, then only the new one", async () => {
    const app = await gw.createApp({ name: "Rotating" });
    expect(await works(app.key)).toBe(true);
    const added = cli(["app", "add-key", "--id", app.id, "--json"]);
    expect(added.status, added.stderr).toBe(0);
    const { apiKey: newKey, keyId } = JSON.parse(added.stdout);
    expect(newKey).toMatch(new RegExp(`^${keyId}_`));
    expect(await works(app.key)).toBe(true);
    expect(await works(newKey)).toBe(true);
    expect(await works(app.key, other.url)).toBe(true);

    const revoked = cli(["app", "revoke-key", "--id", app.id]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain("Revoked 1 key(s)");
    await refusedSoon(app.key, gw.url, 2000);
    await refusedSoon(app.key, other.url, 2000);
    expect(await works(newKey)).toBe(true);
    expect(await works(newKey, other.url)).toBe(true);

    // Run again by mistake, it keeps the newest: the app is never locked out by a rotation.
    expect(cli(["app", "revoke-key", "--id", app.id]).stdout).toContain("Revoked 0 key(s)");
    expect(await works(newKey)).toBe(true);
    expect(await liveKeys(app.id)).toEqual([keyId.slice(5)]);
  }, CLI_TIMEOUT);

  it("--key revokes exactly one key; --all revokes every key", async () => {
    const app = await gw.createApp({ name: "One by one" });
    const second = JSON.parse(cli(["app", "add-key", "--id", app.id, "--json"]).stdout);
    const third = JSON.parse(cli(["app", "add-key", "--id", app.id, "--json"]).stdout);
    const r = cli(["app", "revoke-key", "--id", app.id, "--key", second.keyId]);
    expect(r.status, r.stderr).toBe(0);
    await refusedSoon(second.apiKey, gw.url, 2000);
    expect(await works(app.key)).toBe(true);
    expect(await works(third.apiKey)).toBe(true);

    // A malformed id, a key that is not live, both --key and --all: refused, and nothing changes.
    for (const args of [["--key", "otpk_nothex"], ["--key", second.keyId], ["--key", third.keyId, "--all"]]) {
      const bad = cli(["app", "revoke-key", "--id", app.id, ...args]);
      expect(bad.status, args.join(" ")).not.toBe(0);
    }
    expect(await liveKeys(app.id)).toHaveLength(2);

    const all = cli(["app", "revoke-key", "--id", app.id, "--all"]);
    expect(all.stdout).toContain("Revoked 2 key(s)");
    await refusedSoon(app.key, gw.url, 2000);
    await refusedSoon(third.apiKey, gw.url, 2000);
    expect(await liveKeys(app.id)).toEqual([]);
  }, CLI_TIMEOUT);

  it("the dashboard's mutations follow the same rule, audited, and the new key is never stored or logged in clear", async () => {
    const app = await gw.createApp({ name: "Dashboard rotation" });
    const added = await admin.gql(`mutation($a: ID!) { addAppKey(appId: $a) { apiKey app { keys { id revokedAt } } } }`, { a: app.id });
    expect(added.errors).toBeUndefined();
    const newKey = added.data.addAppKey.apiKey;
    expect(added.data.addAppKey.app.keys.filter((k: any) => !k.revokedAt)).toHaveLength(2);
    expect(await works(app.key)).toBe(true);
    expect(await works(newKey)).toBe(true);

    const older = await admin.gql(`mutation($a: ID!) { revokeAppKeys(appId: $a) { keys { id revokedAt } } }`, { a: app.id });
    expect(older.errors).toBeUndefined();
    expect(errorCode(await gql(gw.url, app.key, TYPENAME))).toBe("UNAUTHENTICATED");
    expect(await works(newKey)).toBe(true);

    const all = await admin.gql(`mutation($a: ID!) { revokeAppKeys(appId: $a, all: true) { keys { revokedAt } } }`, { a: app.id });
    expect(all.data.revokeAppKeys.keys.every((k: any) => k.revokedAt)).toBe(true);
    expect(errorCode(await gql(gw.url, newKey, TYPENAME))).toBe("UNAUTHENTICATED");

    const log = (await admin.gql(AUDIT, { filter: { targetId: app.id } })).data.auditLog.data.reverse();
    expect(log.map((e: any) => e.action)).toEqual(["app.add_key", "app.revoke_older_keys", "app.revoke_all_keys"]);
    expect(JSON.stringify(log)).not.toContain(newKey.slice(22));
    expect(gw.logs.lines.join("\n")).not.toContain(newKey.slice(22));
  });

  it("the process that revokes refuses the key on its very next request, without waiting for the NOTIFY round trip", async () => {
    for (let i = 0; i < 3; i++) {
      const app = await gw.createApp({ name: `Revoked here ${i}` });
      const spare = await gw.app.services.apps.addKey(app.id);
      const [first] = await liveKeys(app.id);
      expect(await works(app.key)).toBe(true); // cached now
      await withoutNotify(async () => {
        const r = await admin.gql(`mutation($a: ID!, $k: ID!) { revokeAppKey(appId: $a, keyId: $k) { id } }`, { a: app.id, k: first });
        expect(r.errors).toBeUndefined();
        expect(errorCode(await gql(gw.url, app.key, TYPENAME))).toBe("UNAUTHENTICATED");
        // Replacing a key ("rotate") is a revocation too.
        const rotated = await admin.gql(`mutation($a: ID!, $k: ID!) { rotateAppKey(appId: $a, keyId: $k) { apiKey } }`, { a: app.id, k: spare.id });
        expect(rotated.errors).toBeUndefined();
        expect(errorCode(await gql(gw.url, spare.key, TYPENAME))).toBe("UNAUTHENTICATED");
        expect(await works(rotated.data.rotateAppKey.apiKey)).toBe(true);
      });
    }
  });

  it("another process refuses a revoked key within its cache lifetime even when the notification never comes", async () => {
    const app = await gw.createApp({ name: "Revoked elsewhere" });
    expect(await works(app.key, other.url)).toBe(true); // cached in the other process
    await withoutNotify(async () => {
      await gw.app.services.apps.revokeKeys(app.id, { all: true });
      await refusedSoon(app.key, other.url, 5000); // 1.5 s of cache lifetime, and time to spare on a loaded machine
    });
  });
});
