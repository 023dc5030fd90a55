import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, RESEND_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { codeFromOutbox, eventually } from "../helpers/codes";

/** Refusals: each with its contract code, each changing nothing. */
describe("verification rules", () => {
  let gw: TestGateway;
  let a: { id: string; key: string };
  let b: { id: string; key: string };
  const count = async (table: string) => (await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n as number;

  beforeAll(async () => {
    gw = await startGateway();
    a = await gw.createApp({ name: "App A", maxSends: 3 });
    // Many unanswered codes to +1415555xxxx across the suite: the pumping guard (its own suites) is off here.
    b = await gw.createApp({ name: "App B", settings: { limits: { pumping: { prefix: null, country: null, unproven: null, app: null } } } });
  });
  afterAll(() => gw?.stop());

  const request = (input: Record<string, unknown>, key = a.key) => gql(gw.url, key, REQUEST_OTP, { input: { channel: "SMS", ...input } });

  it.each([
    [{ destination: "not a number" }, "destination"],
    [{ destination: "4155552671" }, "destination"],
    [{ destination: "+1 415 555" }, "destination"],
    [{ destination: "+1415555267199999" }, "destination"],
    [{ destination: "someone@example.com", channel: "SMS" }, "channel"],
    [{ destination: "+14155552671", channel: "EMAIL" }, "channel"],
    [{ destination: "someone@", channel: "EMAIL" }, "destination"],
    [{ destination: `${"x".repeat(400)}@example.com`, channel: "EMAIL" }, "destination"],
    [{ destination: "+14155552671", purpose: "x".repeat(65) }, "purpose"],
    [{ destination: "+14155552671", locale: "not a locale!" }, "locale"],
    [{ destination: "+14155552671", clientIp: "999.1.1.1" }, "clientIp"],
    [{ destination: "+14155552671", transaction: { amount: "", payee: "Shop" } }, "transaction.amount"],
    [{ destination: "+14155552671", transaction: { amount: "1", payee: "p".repeat(101) } }, "transaction.payee"],
  ])("requestOtp %j is BAD_USER_INPUT on %s and stores nothing", async (input, field) => {
    const before = await count("verifications");
    const r = await request(input);
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe(field);
    expect(await count("verifications")).toBe(before);
  });

  it("an unknown channel is refused by the schema", async () => {
    expect(errorCode(await request({ destination: "+14155552671", channel: "PIGEON" }))).toBe("BAD_USER_INPUT");
  });

  it.each(["12", "abcde", "12345678901", " 123456"])("verifyOtp with malformed code %j is BAD_USER_INPUT and spends nothing", async (code) => {
    const id = (await request({ destination: `+1415555${String(7000 + code.length).slice(-4)}` }, b.key)).data.requestOtp.id;
    const r = await gql(gw.url, b.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe("code");
    expect((await gql(gw.url, b.key, GET_VERIFICATION, { id })).data.verification.attemptsRemaining).toBe(5);
  });

  it("verifyOtp needs an id or a destination", async () => {
    expect(errorCode(await gql(gw.url, a.key, VERIFY_OTP, { input: { code: "123456" } }))).toBe("BAD_USER_INPUT");
  });

  it("phone numbers in different formats are one destination", async () => {
    const formats = ["+1 (415) 555-0202", "+14155550202", "001 415 555 0202", "+1.415.555.0202"];
    const tos = [];
    for (const f of formats) tos.push((await request({ destination: f }, b.key)).data?.requestOtp.to);
    expect(new Set(tos)).toEqual(new Set(["+1******0202"]));
    const rows = await gw.app.db.ds.query(`SELECT DISTINCT destination FROM verifications WHERE app_id = $1 AND destination LIKE '%0202'`, [b.id]);
    expect(rows).toEqual([{ destination: "+14155550202" }]);
  });

  it("another app's key sees NOT_FOUND for every operation", async () => {
    const id = (await request({ destination: "+14155550203" })).data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, "+14155550203");
    expect(errorCode(await gql(gw.url, b.key, GET_VERIFICATION, { id }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(gw.url, b.key, VERIFY_OTP, { input: { verificationId: id, code } }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(gw.url, b.key, VERIFY_OTP, { input: { destination: "+14155550203", code } }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(gw.url, b.key, RESEND_OTP, { id }))).toBe("NOT_FOUND");
    expect(errorCode(await gql(gw.url, b.key, `mutation($id: ID!) { cancelOtp(verificationId: $id) { id } }`, { id }))).toBe("NOT_FOUND");
    // and A's verification is untouched by B's tries
    const ok = await gql(gw.url, a.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(ok.data.verifyOtp).toMatchObject({ status: "APPROVED", attemptsRemaining: 5 });
  });

  it("unknown ids, malformed ids and unseen destinations all answer NOT_FOUND the same way", async () => {
    const answers = await Promise.all([
      gql(gw.url, a.key, VERIFY_OTP, { input: { verificationId: "00000000-0000-4000-8000-000000000000", code: "123456" } }),
      gql(gw.url, a.key, VERIFY_OTP, { input: { verificationId: "nope", code: "123456" } }),
      gql(gw.url, a.key, VERIFY_OTP, { input: { destination: "+14155559999", code: "123456" } }),
    ]);
    expect(answers.map((r) => r.errors![0])).toEqual(answers.map(() => answers[0].errors![0]));
    expect(errorCode(answers[0])).toBe("NOT_FOUND");
  });

  it("missing, malformed, unknown and revoked keys are UNAUTHENTICATED", async () => {
    for (const key of [null, "nonsense", "otpk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      const r = await request({ destination: "+14155550204" }, key as string);
      expect(r.status).toBe(401);
      expect(errorCode(r)).toBe("UNAUTHENTICATED");
    }
    const c = await gw.createApp({ name: "Revoked" });
    expect((await request({ destination: "+14155550204" }, c.key)).errors).toBeUndefined();
    expect(await gw.app.services.apps.revokeKeys(c.id, { all: true })).toHaveLength(1);
    expect(errorCode(await request({ destination: "+14155550205" }, c.key))).toBe("UNAUTHENTICATED");
  });

  it("the per-destination send limit answers RATE_LIMITED with retryAfter, records a block, and is per app", async () => {
    const to = "+14155550206";
    for (let i = 0; i < 3; i++) expect((await request({ destination: to })).errors).toBeUndefined();
    const before = await count("verifications");
    const r = await request({ destination: to });
    expect(errorCode(r)).toBe("RATE_LIMITED");
    expect(r.errors![0].extensions!.retryAfter).toBeGreaterThan(500);
    expect(r.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(600);
    expect(await count("verifications")).toBe(before);
    const [block] = await gw.app.db.ds.query(`SELECT rule, key_masked, hits, "limit", app_id FROM rate_limit_blocks WHERE key_masked = '+1******0206'`);
    expect(block).toMatchObject({ rule: "sends_per_destination", hits: 4, limit: 3, app_id: a.id });
    expect((await request({ destination: to }, b.key)).errors).toBeUndefined();
  });

  it("a refusal looks the same for a destination never seen as for a known one", async () => {
    const c = await gw.createApp({ name: "Tight", maxSends: 1 });
    await request({ destination: "+14155550207" }, c.key);
    const known = await request({ destination: "+14155550207" }, c.key);
    const unseenFirst = await request({ destination: "+14155550208" }, c.key);
    const unseen = await request({ destination: "+14155550208" }, c.key);
    expect(Object.keys(unseenFirst.data.requestOtp)).toEqual(Object.keys((await request({ destination: "+14155550209" }, b.key)).data.requestOtp));
    expect(known.errors![0].message).toBe(unseen.errors![0].message);
    expect(Object.keys(known.errors![0].extensions!)).toEqual(Object.keys(unseen.errors![0].extensions!));
  });

  it("countries outside the app's list are FORBIDDEN before anything is stored", async () => {
    const c = await gw.createApp({ name: "US only", countries: ["US"] });
    const before = await count("verifications");
    const r = await request({ destination: "+44 7400 123456" }, c.key);
    expect(errorCode(r)).toBe("FORBIDDEN");
    expect(await count("verifications")).toBe(before);
    expect((await request({ destination: "+14155550210" }, c.key)).errors).toBeUndefined();
  });

  it("an expired code answers EXPIRED without a token", async () => {
    const c = await gw.createApp({ name: "Short", ttlSeconds: 1 });
    const id = (await request({ destination: "+14155550211" }, c.key)).data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, "+14155550211");
    // Past its expiry by the database's clock (the one verifyOtp compares with), however slow the machine.
    await eventually(async () => {
      const [row] = await gw.app.db.ds.query(`SELECT expires_at <= now() AS past FROM verifications WHERE id = $1`, [id]);
      return row.past ? true : undefined;
    }, "the verification's expiry");
    const r = await gql(gw.url, c.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(r.data.verifyOtp).toEqual({ status: "EXPIRED", attemptsRemaining: 5, token: null });
    expect((await gql(gw.url, c.key, GET_VERIFICATION, { id })).data.verification.status).toBe("EXPIRED");
  });

  it("a new request for the same destination and purpose supersedes the pending one", async () => {
    const first = (await request({ destination: "+14155550212" }, b.key)).data.requestOtp.id;
    await request({ destination: "+14155550212" }, b.key);
    expect((await gql(gw.url, b.key, GET_VERIFICATION, { id: first })).data.verification.status).toBe("CANCELED");
  });

  it("oversized bodies are refused before GraphQL", async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${a.key}` },
      body: JSON.stringify({ query: `{ __typename }`, padding: "x".repeat(70_000) }),
    });
    expect(res.status).toBe(413);
  });
});
