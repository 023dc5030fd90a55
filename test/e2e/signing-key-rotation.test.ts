import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";
import { runCli } from "../helpers/cli";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";

/** Each CLI run starts a Node process that loads the whole gateway: seconds apiece on a loaded two-core machine. */
const CLI_TIMEOUT = 180_000;
/** Short enough to watch a whole rotation, long enough that a loaded machine can't skip past the interesting window. */
const MAX_AGE = 10;

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
const fetchJwks = async (url: string) => {
  const res = await fetch(`${url}/.well-known/jwks.json`);
  return { body: (await res.json()) as JSONWebKeySet, cacheControl: res.headers.get("cache-control") };
};
const kidsAt = async (url: string) => (await fetchJwks(url)).body.keys.map((k) => k.kid);

/** Two gateways over one database: `gw` runs the worker (its log holds the outbox), `other` is an API process. */
async function pair(env: Record<string, string>) {
  const gw = await startGateway({ env });
  const other = await startGateway({ databaseUrl: gw.env.DATABASE_URL, role: "api", env });
  const cli = (args: string[]) => runCli(["keys", "rotate", ...args], { DATABASE_URL: gw.env.DATABASE_URL, OTP_SECRET: gw.env.OTP_SECRET, DATA_DIR: gw.env.DATA_DIR, ...env });
  return { gw, other, cli };
}

/** A token as a client app gets it: request, read the code off the "phone", verify — through `url`. */
async function approvedToken(gw: TestGateway, url: string, appKey: string, destination: string): Promise<string> {
  const r = await gql(url, appKey, REQUEST_OTP, { input: { destination, channel: "SMS" } });
  expect(r.errors).toBeUndefined();
  const code = await codeFromOutbox(gw.logs, destination);
  const ok = await gql(url, appKey, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } });
  expect(ok.data.verifyOtp.status).toBe("APPROVED");
  return ok.data.verifyOtp.token;
}

/**
 * Signing-key rotation (contract "Signing keys and the audit log"): `keys rotate` publishes the
 * new key at once and signs with it only after the JWKS's max-age, so a verifier that cached the
 * JWKS before the rotation never meets an unknown `kid`; the old key stays published while its
 * tokens live. Until December 2026 the new key signed at once: such a verifier refused every
 * new token for up to five minutes.
 */
describe("keys rotate: publish first, sign later", () => {
  let gw: TestGateway;
  let other: TestGateway;
  let cli: (args: string[]) => ReturnType<typeof runCli>;
  beforeAll(async () => {
    ({ gw, other, cli } = await pair({ JWKS_MAX_AGE_SECONDS: String(MAX_AGE) }));
  });
  afterAll(async () => {
    await other?.stop();
    await gw?.stop();
  });

  it("a verifier holding the JWKS from before the rotation verifies every token until its max-age has passed; then new tokens carry the new kid", async () => {
    const app = await gw.createApp({ name: "Rotation" });
    const { body: cached, cacheControl } = await fetchJwks(other.url);
    const cachedAt = Date.now();
    expect(cacheControl).toBe(`public, max-age=${MAX_AGE}`);
    const verifier = createLocalJWKSet(cached);
    const [oldKid] = cached.keys.map((k) => k.kid!);
    expect(cached.keys).toHaveLength(1);
    const beforeRotation = await approvedToken(gw, other.url, app.key, "+14155550601");
    expect(kidOf(beforeRotation)).toBe(oldKid);

    const rotated = cli(["--json"]);
    expect(rotated.status, rotated.stderr).toBe(0);
    const out = JSON.parse(rotated.stdout) as { kid: string; signsFrom: string; previous: Array<{ kid: string; signsUntil: string; publishedUntil: string; withdrawn: boolean }> };
    const newKid = out.kid;
    expect(newKid).not.toBe(oldKid);
    // It signs after the max-age (plus the processes' key refresh, which is as long here), not before.
    expect(new Date(out.signsFrom).getTime()).toBeGreaterThanOrEqual(cachedAt + MAX_AGE * 1000);
    expect(out.previous).toEqual([{ kid: oldKid, signsUntil: out.signsFrom, publishedUntil: expect.any(String), withdrawn: false }]);

    // Published at once by both processes (the CLI's NOTIFY), while both still sign with the old key.
    for (const url of [gw.url, other.url]) {
      await eventually(async () => ((await kidsAt(url)).includes(newKid) ? true : undefined), `the new key in ${url}'s JWKS`, 5000);
      expect((await kidsAt(url)).sort()).toEqual([oldKid, newKid].sort());
    }
    const afterRotation = await approvedToken(gw, other.url, app.key, "+14155550602");
    expect(kidOf(afterRotation)).toBe(oldKid);
    expect((await jwtVerify(afterRotation, verifier, { audience: app.id })).payload.sub).toBeDefined();

    // Tokens from both processes, as fast as they come, until both sign with the new key.
    const issued: Array<{ at: number; token: string; by: string }> = [];
    const switched = new Set<string>();
    await eventually(async () => {
      for (const g of [gw, other]) {
        const at = Date.now();
        const token = await g.app.services.tokens.sign({ n: issued.length }, app.id, "subject");
        issued.push({ at, token, by: g.url });
        if (kidOf(token) === newKid) switched.add(g.url);
      }
      await new Promise((r) => setTimeout(r, 100));
      return switched.size === 2 ? true : undefined;
    }, "both processes to sign with the new key", 90_000);

    const firstNew = issued.findIndex((t) => kidOf(t.token) === newKid);
    expect(firstNew).toBeGreaterThan(0);
    // Nothing signed with the new key before the cached JWKS had expired...
    expect(issued[firstNew].at).toBeGreaterThanOrEqual(cachedAt + MAX_AGE * 1000);
    // ...and every token until then verifies with what the verifier cached.
    for (const t of issued.slice(0, firstNew)) {
      expect(kidOf(t.token)).toBe(oldKid);
      await jwtVerify(t.token, verifier, { audience: app.id });
    }
    // Neither process goes back to the old key once it signs with the new one.
    for (const url of [gw.url, other.url]) {
      const kids = issued.filter((t) => t.by === url).map((t) => kidOf(t.token));
      expect(kids.slice(kids.indexOf(newKid)).every((k) => k === newKid)).toBe(true);
    }

    // The old key stays published while its tokens live: every token, old and new, verifies with a fresh JWKS.
    for (const url of [gw.url, other.url]) expect((await kidsAt(url)).sort()).toEqual([oldKid, newKid].sort());
    const fresh = createRemoteJWKSet(new URL(`${other.url}/.well-known/jwks.json`));
    const viaApi = await approvedToken(gw, other.url, app.key, "+14155550603");
    expect(kidOf(viaApi)).toBe(newKid);
    for (const token of [beforeRotation, afterRotation, viaApi, ...issued.map((t) => t.token)]) await jwtVerify(token, fresh, { audience: app.id });

    const [audit] = await gw.app.db.ds.query(`SELECT actor_email, action, target_id FROM audit_log WHERE target_type = 'signing_key'`);
    expect(audit).toMatchObject({ action: "signing_key.rotate", target_id: newKid });
    expect(audit.actor_email).toMatch(/^cli:/);
  }, CLI_TIMEOUT);
});

describe("keys rotate --now: a leaked key", () => {
  let gw: TestGateway;
  let other: TestGateway;
  let cli: (args: string[]) => ReturnType<typeof runCli>;
  beforeAll(async () => {
    // The default max-age (300 s): the processes reread keys only every 60 s unless told, so the switch seen below is the NOTIFY's.
    ({ gw, other, cli } = await pair({}));
  });
  afterAll(async () => {
    await other?.stop();
    await gw?.stop();
  });

  it("signs with the new key at once in every process and withdraws the old one from the JWKS", async () => {
    const app = await gw.createApp({ name: "Leak" });
    const [oldKid] = await kidsAt(other.url);
    const leaked = await approvedToken(gw, other.url, app.key, "+14155550701");
    expect(kidOf(leaked)).toBe(oldKid);
    expect((await fetchJwks(gw.url)).cacheControl).toBe("public, max-age=300");

    const r = cli(["--now"]);
    expect(r.status, r.stderr).toBe(0);
    const newKid = /Published key (\S+);/.exec(r.stdout)![1];
    expect(r.stdout).toContain(`Withdrew key ${oldKid}`);

    for (const g of [gw, other]) {
      await eventually(async () => (kidOf(await g.app.services.tokens.sign({}, app.id, "s")) === newKid ? true : undefined), `${g.url} to sign with the new key`, 10_000);
      expect(await kidsAt(g.url)).toEqual([newKid]);
    }
    const viaApi = await approvedToken(gw, other.url, app.key, "+14155550702");
    expect(kidOf(viaApi)).toBe(newKid);
    const fresh = createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
    await jwtVerify(viaApi, fresh, { audience: app.id });
    // A token signed with the leaked key no longer verifies against the published keys.
    await expect(jwtVerify(leaked, fresh, { audience: app.id })).rejects.toThrow();

    const [audit] = await gw.app.db.ds.query(`SELECT action, target_id, after FROM audit_log WHERE target_type = 'signing_key'`);
    expect(audit).toMatchObject({ action: "signing_key.rotate_now", target_id: newKid });
    expect(audit.after.previous).toEqual([expect.objectContaining({ kid: oldKid, withdrawn: true, publishedUntil: null })]);
  }, CLI_TIMEOUT);

  it("refuses an unknown flag, and changes nothing", async () => {
    const before = await kidsAt(gw.url);
    const r = cli(["--later"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("--later");
    const [{ n }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM signing_keys`);
    expect(n).toBe(2);
    expect(await kidsAt(gw.url)).toEqual(before);
  }, CLI_TIMEOUT);
});
