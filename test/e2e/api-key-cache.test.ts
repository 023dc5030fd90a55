import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, errorCode, gql } from "../helpers/graphql-client";
import { runCli } from "../helpers/cli";
import { eventually } from "../helpers/codes";

const TYPENAME = "{ __typename }";

/**
 * API keys are cached per process (no key lookup per request), and the cache never outlives
 * the truth: any change to an app or its keys — from another process, by plain SQL —
 * reaches every process through a Postgres trigger and LISTEN/NOTIFY, and while that
 * channel is down, keys are looked up in the database again.
 */
describe("API key cache", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  it("serves a key it has seen without querying for it", async () => {
    const app = await gw.createApp({ name: "Cached" });
    expect((await gql(gw.url, app.key, TYPENAME)).data).toEqual({ __typename: "Query" });
    // Without its table, only the cache can still answer for this key (no UPDATE: no notification).
    await gw.app.db.ds.query(`ALTER TABLE api_keys RENAME TO api_keys_away`);
    try {
      expect((await gql(gw.url, app.key, TYPENAME)).data).toEqual({ __typename: "Query" });
      expect(errorCode(await gql(gw.url, app.key.slice(0, -1) + (app.key.endsWith("A") ? "B" : "A"), TYPENAME))).toBe("UNAUTHENTICATED"); // a wrong secret is still wrong
    } finally {
      await gw.app.db.ds.query(`ALTER TABLE api_keys_away RENAME TO api_keys`);
    }
  });

  it("refuses a cached key on the very next request after `otp-gateway app revoke-key` in another process", async () => {
    const app = await gw.createApp({ name: "Revoked" });
    expect(errorCode(await gql(gw.url, app.key, TYPENAME))).toBeUndefined();
    const r = runCli(["app", "revoke-key", "--id", app.id, "--all"], { DATABASE_URL: gw.env.DATABASE_URL, OTP_SECRET: gw.env.OTP_SECRET, DATA_DIR: gw.env.DATA_DIR });
    expect(r.status, r.stderr).toBe(0);
    // NOTIFY is delivered at commit; the very next request may race it by a hair, never by more.
    // (The bound stays under the cache's 10 s TTL, so it is the notification that refuses the key, with room for a loaded machine.)
    await eventually(async () => (errorCode(await gql(gw.url, app.key, TYPENAME)) === "UNAUTHENTICATED" ? true : undefined), "the revoked key to be refused", 5000);
    expect(errorCode(await gql(gw.url, app.key, TYPENAME))).toBe("UNAUTHENTICATED");
  });

  it("applies an app's settings changed by plain SQL to the next request", async () => {
    const app = await gw.createApp({ name: "Settings" });
    const send = () => gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550601", channel: "SMS" } });
    expect((await send()).errors).toBeUndefined();
    await gw.app.db.ds.query(`UPDATE apps SET countries = '{GB}' WHERE id = $1`, [app.id]);
    await eventually(async () => (errorCode(await send()) === "FORBIDDEN" ? true : undefined), "the new country list to apply", 5000);
  });

  it("falls back to the database while its LISTEN connection is down, so a missed notification can't keep a key alive", async () => {
    const app = await gw.createApp({ name: "Listener lost" });
    expect(errorCode(await gql(gw.url, app.key, TYPENAME))).toBeUndefined();
    const lines = gw.logs.lines.length;
    await gw.app.db.ds.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN otpg_app_changed'`);
    await eventually(() => (gw.logs.lines.slice(lines).some((l) => l.includes("API key cache: LISTEN connection lost")) ? true : undefined), "the cache to notice");
    // Revoked while nobody listens: the notification is lost, and the key must still be refused.
    await gw.app.db.ds.query(`UPDATE api_keys SET revoked_at = now() WHERE app_id = $1`, [app.id]);
    expect(errorCode(await gql(gw.url, app.key, TYPENAME))).toBe("UNAUTHENTICATED");
  });
});
