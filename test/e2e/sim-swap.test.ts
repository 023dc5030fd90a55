import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { gql, RESEND_OTP, VERIFY_OTP } from "../helpers/graphql-client";
import { codeFromOutbox, eventually } from "../helpers/codes";
import { AdminClient, createStaff, TIMELINE } from "../helpers/admin";
import { WebhookReceiver } from "../helpers/webhook-receiver";
import { randomUsNumber } from "../bench/numbers";
import { CamaraSimSwapFake } from "../fakes/camara-sim-swap-fake";

const CLIENT = { clientId: "otp-gateway-test", clientSecret: "s3cret:with%odd+chars" };
/** The whole check's deadline here (2 s in production): the slow operator below answers well after it. */
const TIMEOUT_MS = 1500;

const REQUEST = `mutation($input: RequestOtpInput!) {
  requestOtp(input: $input) { id status to risk { simSwap checkedAt } deliveries { id provider status } } }`;
const GET = `query($id: ID!) { verification(id: $id) { id status risk { simSwap checkedAt } } }`;
const UPDATE_APP = `mutation($id: ID!, $input: AppInput!) { updateApp(id: $id, input: $input) { id maxAttempts simSwap { maxAgeHours action } } }`;
const APP = `query($id: ID!) { app(id: $id) { id maxAttempts ttlSeconds simSwap { maxAgeHours action } } }`;

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

/**
 * The SIM-swap check before a phone code (contract: "SIM-swap check before a phone code"),
 * end to end against a stand-in CAMARA operator with its OAuth token endpoint: refuse, flag,
 * not swapped, the operator failing or slow (UNKNOWN, still sent), the token cached and
 * renewed, the setting's validation, and what must never leak (numbers, secret, tokens).
 */
describe("SIM-swap check (CAMARA SIM Swap) before a phone code", () => {
  let gw: TestGateway;
  let camara: CamaraSimSwapFake;
  let receiver: WebhookReceiver;
  /** Added to the gateway's clock for token lifetimes (AppOptions.simSwapClock). */
  let clockAheadMs = 0;

  beforeAll(async () => {
    camara = await CamaraSimSwapFake.start(CLIENT);
    receiver = await WebhookReceiver.start();
    gw = await startGateway({
      env: {
        SIM_SWAP_API_BASE_URL: camara.apiBaseUrl, SIM_SWAP_TOKEN_URL: camara.tokenUrl,
        SIM_SWAP_CLIENT_ID: CLIENT.clientId, SIM_SWAP_CLIENT_SECRET: CLIENT.clientSecret, SIM_SWAP_TIMEOUT_MS: String(TIMEOUT_MS),
        OUTBOX_DELIVERY_DELAY_MS: "off", WEBHOOK_POLL_MS: "100",
      },
      simSwapClock: () => Date.now() + clockAheadMs,
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await receiver?.stop();
    await camara?.stop();
  });

  const request = (key: string, destination: string, channel = "SMS") => gql(gw.url, key, REQUEST, { input: { destination, channel } });
  const rows = async (sql: string, params: unknown[]) => gw.app.db.ds.query(sql, params);

  it("refuse: a swapped number gets FORBIDDEN (reason SIM_SWAP), nothing is stored or sent, and the refusal is on record", async () => {
    const app = await gw.createApp({ name: "Bank", settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } });
    const swapped = randomUsNumber();
    const longAgo = randomUsNumber();
    camara.swapSim(swapped, 2);
    camara.swapSim(longAgo, 30); // outside the app's 24 hours

    const r = await request(app.key, swapped);
    expect(r.data?.requestOtp ?? null).toBeNull();
    expect(r.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "SIM_SWAP" });
    expect(r.errors?.[0].message).not.toContain(swapped.slice(-7));
    // What the operator was asked, as CAMARA specifies it: the E.164 number and maxAge in hours, a correlator, Basic client auth.
    expect(camara.checks.at(-1)).toMatchObject({ phoneNumber: swapped, maxAge: 24, status: 200 });
    expect(camara.checks.at(-1)?.correlator).toMatch(/^[0-9a-f-]{36}$/);
    expect(camara.tokenRequests[0]).toMatchObject({ auth: "basic", clientId: CLIENT.clientId, grantType: "client_credentials", status: 200 });

    expect(await rows(`SELECT id FROM verifications WHERE app_id = $1`, [app.id])).toEqual([]);
    expect(await rows(`SELECT id FROM deliveries WHERE app_id = $1`, [app.id])).toEqual([]);
    expect(await rows(`SELECT id FROM outbox_messages WHERE recipient = $1`, [swapped])).toEqual([]);
    const [block] = await rows(`SELECT rule, key_masked, details, blocked_until <= now() AS over FROM rate_limit_blocks WHERE app_id = $1`, [app.id]);
    expect(block).toMatchObject({ rule: "sim_swap", key_masked: `+1******${swapped.slice(-4)}`, over: true });
    expect(block.details).toMatchObject({ maxAgeHours: 24, simSwap: "SWAPPED", action: "refuse", channel: "SMS" });

    // Under the same setting a SIM changed 30 hours ago is no swap: the code goes out, NOT_SWAPPED.
    const ok = await request(app.key, longAgo);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.requestOtp.risk.simSwap).toBe("NOT_SWAPPED");
    expect(await codeFromOutbox(gw.logs, longAgo)).toMatch(/^\d{6}$/);
  });

  it("flag: the code is sent; the verification, its timeline, its webhook events and its token all say SWAPPED", async () => {
    const app = await gw.createApp({ name: "Shop", settings: { simSwap: { maxAgeHours: 72, action: "flag" } } });
    const { secret } = await gw.app.services.webhookEndpoints.add(app.id, receiver.url);
    receiver.secret = secret;
    const number = randomUsNumber();
    camara.swapSim(number, 48);

    const r = await request(app.key, number);
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    expect(v.status).toBe("PENDING");
    expect(v.risk.simSwap).toBe("SWAPPED");
    expect(Date.now() - Date.parse(v.risk.checkedAt)).toBeLessThan(60_000);
    expect(camara.checks.at(-1)).toMatchObject({ phoneNumber: number, maxAge: 72 });
    expect((await gql(gw.url, app.key, GET, { id: v.id })).data.verification.risk).toEqual(v.risk);

    const code = await codeFromOutbox(gw.logs, number);
    const verified = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: v.id, code } });
    expect(verified.data.verifyOtp.status).toBe("APPROVED");
    const claims = claimsOf(verified.data.verifyOtp.token);
    expect(claims).toMatchObject({ sub: v.id, phone_number: number, sim_swap: "swapped", amr: ["otp", "sms"] });

    const events = await eventually(() => {
      const mine = receiver.accepted().filter((e) => e.json?.data?.id === v.id);
      return mine.some((e) => e.json.type === "verification.approved") ? mine : undefined;
    }, "the pending and approved events");
    for (const type of ["verification.pending", "verification.approved"]) {
      const e = events.find((x) => x.json.type === type)!;
      expect(e.verified).toBe(true);
      expect(e.json.data.risk).toEqual({ simSwap: "SWAPPED", checkedAt: v.risk.checkedAt });
      expect(e.body).not.toContain(number);
    }

    // Support reads it on the timeline, with the number masked.
    await createStaff(gw, "support@example.com", "SUPPORT");
    const support = await AdminClient.signedIn(gw.url, "support@example.com");
    const t = await support.gql(TIMELINE, { id: v.id });
    const kinds = t.data.verification.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.indexOf("RISK_CHECK")).toBe(kinds.indexOf("REQUEST") + 1);
    const risk = t.data.verification.timeline.find((e: { kind: string }) => e.kind === "RISK_CHECK");
    expect(risk).toMatchObject({ status: "SWAPPED", rule: "sim_swap" });
    expect(risk.summary).toMatch(/SIM card changed recently — flagged: the code was sent/);
    expect(JSON.stringify(t.data)).not.toContain(number.slice(2, 8));
  });

  it("not swapped, and the operator failing (down, unknown number, quota) or slow: sent, NOT_SWAPPED / UNKNOWN, never refused", async () => {
    const app = await gw.createApp({ name: "Strict", maxSends: 50, settings: { simSwap: { maxAgeHours: 240, action: "refuse" } } });
    const clean = randomUsNumber();
    const r = await request(app.key, clean);
    expect(r.data.requestOtp.risk.simSwap).toBe("NOT_SWAPPED");
    const code = await codeFromOutbox(gw.logs, clean);
    const token = (await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } })).data.verifyOtp.token;
    expect(claimsOf(token).sim_swap).toBe("not_swapped");

    const unknown = async (setup: () => void, undo: () => void) => {
      const number = randomUsNumber();
      camara.swapSim(number, 1); // swapped: only the failure keeps it from being refused
      setup();
      try {
        const got = await request(app.key, number);
        expect(got.errors).toBeUndefined();
        expect(got.data.requestOtp.risk.simSwap).toBe("UNKNOWN");
        expect(await codeFromOutbox(gw.logs, number)).toMatch(/^\d{6}$/);
        return { number, id: got.data.requestOtp.id };
      } finally {
        undo();
      }
    };
    await unknown(() => (camara.down = true), () => (camara.down = false));
    await unknown(() => (camara.quotaExceeded = true), () => (camara.quotaExceeded = false));
    const notServed = randomUsNumber();
    camara.unknownNumbers.add(notServed);
    expect((await request(app.key, notServed)).data.requestOtp.risk.simSwap).toBe("UNKNOWN");
    // Slower than the deadline (TIMEOUT in the log below): the request goes on without the operator's answer.
    const slow = await unknown(() => (camara.latencyMs = TIMEOUT_MS + 2500), () => (camara.latencyMs = 0));

    // The token of an UNKNOWN verification says so too.
    const slowCode = await codeFromOutbox(gw.logs, slow.number);
    const slowToken = (await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: slow.id, code: slowCode } })).data.verifyOtp.token;
    expect(claimsOf(slowToken).sim_swap).toBe("unknown");

    // The log says why, by the operator's code, never with the number.
    const warnings = gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg?.startsWith("SIM-swap check gave no answer"));
    expect(warnings.map((w) => w.serviceCode)).toEqual(expect.arrayContaining(["UNAVAILABLE", "QUOTA_EXCEEDED", "IDENTIFIER_NOT_FOUND", "TIMEOUT"]));
  });

  it("one token serves many checks; it is renewed before it expires, and once more after a 401", async () => {
    const app = await gw.createApp({ name: "Tokens", maxSends: 50, settings: { simSwap: { maxAgeHours: 24, action: "flag" } } });
    expect((await request(app.key, randomUsNumber())).data.requestOtp.risk.simSwap).toBe("NOT_SWAPPED");
    const issued = camara.tokensIssued;
    expect(issued).toBeGreaterThanOrEqual(1);
    const many = await Promise.all([1, 2, 3, 4].map(() => request(app.key, randomUsNumber())));
    expect(many.map((m) => m.data.requestOtp.risk.simSwap)).toEqual(["NOT_SWAPPED", "NOT_SWAPPED", "NOT_SWAPPED", "NOT_SWAPPED"]);
    expect(camara.tokensIssued).toBe(issued);

    // An hour on (the token's expires_in): renewed before use; several requests at once share one fetch.
    clockAheadMs += 3600_000;
    const renewed = await Promise.all([1, 2, 3].map(() => request(app.key, randomUsNumber())));
    expect(renewed.map((m) => m.data.requestOtp.risk.simSwap)).toEqual(["NOT_SWAPPED", "NOT_SWAPPED", "NOT_SWAPPED"]);
    expect(camara.tokensIssued).toBe(issued + 1);

    // The operator drops its tokens early: the 401 brings one new token and the check still answers.
    camara.revokeTokens();
    const swapped = randomUsNumber();
    camara.swapSim(swapped, 3);
    const after = await request(app.key, swapped);
    expect(after.data.requestOtp.risk.simSwap).toBe("SWAPPED");
    expect(camara.tokensIssued).toBe(issued + 2);
    expect(camara.checks.slice(-2).map((c) => c.status)).toEqual([401, 200]);
  });

  it("only phone channels of apps with the setting are checked; other settings are untouched; bad settings are BAD_USER_INPUT", async () => {
    const plain = await gw.createApp({ name: "Plain" });
    const swapped = randomUsNumber();
    camara.swapSim(swapped, 1);
    const before = camara.checks.length;
    const r = await request(plain.key, swapped);
    expect(r.errors).toBeUndefined();
    expect(r.data.requestOtp.risk).toBeNull();
    const flagged = await gw.createApp({ name: "Mail", settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } });
    const mail = await request(flagged.key, "someone@example.com", "EMAIL");
    expect(mail.data.requestOtp.risk).toBeNull();
    expect(camara.checks.length).toBe(before);

    // The dashboard's API: set, read back, refuse bad values (nothing changes), turn off.
    await createStaff(gw, "admin@example.com", "ADMIN");
    const admin = await AdminClient.signedIn(gw.url, "admin@example.com");
    const set = await admin.gql(UPDATE_APP, { id: plain.id, input: { simSwap: { maxAgeHours: 12, action: "refuse" } } });
    expect(set.data.updateApp).toMatchObject({ maxAttempts: 5, simSwap: { maxAgeHours: 12, action: "refuse" } });
    for (const bad of [{ maxAgeHours: 0, action: "flag" }, { maxAgeHours: 2401, action: "flag" }, { maxAgeHours: 24, action: "block" }]) {
      const refused = await admin.gql(UPDATE_APP, { id: plain.id, input: { maxAttempts: 3, simSwap: bad } });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "simSwap" });
    }
    expect((await admin.gql(APP, { id: plain.id })).data.app).toMatchObject({ maxAttempts: 5, ttlSeconds: 300, simSwap: { maxAgeHours: 12, action: "refuse" } });
    // Another setting changed alone keeps simSwap; null turns it off.
    expect((await admin.gql(UPDATE_APP, { id: plain.id, input: { maxAttempts: 4 } })).data.updateApp.simSwap).toEqual({ maxAgeHours: 12, action: "refuse" });
    expect((await admin.gql(UPDATE_APP, { id: plain.id, input: { simSwap: null } })).data.updateApp.simSwap).toBeNull();
    await expect(gw.app.services.apps.create({ name: "Bad", settings: { simSwap: { maxAgeHours: 24, action: "ignore" } as never } })).rejects.toThrow(/simSwap\.action/);
  });

  it("without SIM_SWAP_* the setting is kept but not applied: the code is sent, risk null, and start-up names the apps", async () => {
    const strict = await gw.createApp({ name: "Strict elsewhere", settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } });
    const swapped = randomUsNumber();
    camara.swapSim(swapped, 1);
    const checks = camara.checks.length;
    // A second process on the same database, without the service (e.g. configured on other API
    // processes only). Role api: its request is delivered by the suite's own worker (two workers
    // on one database would race for the claim, and the code would be in either's outbox).
    const bare = await startGateway({ role: "api", databaseUrl: gw.env.DATABASE_URL, env: { OUTBOX_DELIVERY_DELAY_MS: "off" } });
    try {
      const warning = bare.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith("apps have a simSwap setting but no SIM-swap service"));
      expect(warning?.apps).toContain(strict.id);
      const r = await gql(bare.url, strict.key, REQUEST, { input: { destination: swapped, channel: "SMS" } });
      expect(r.errors).toBeUndefined();
      expect(r.data.requestOtp.risk).toBeNull();
      expect(await codeFromOutbox(gw.logs, swapped)).toMatch(/^\d{6}$/);
      expect(camara.checks.length).toBe(checks);
    } finally {
      await bare.stop();
    }
  });

  it("resendOtp is checked afresh: refuse gets FORBIDDEN and sends nothing (the first code stays good); flag and an outage are recorded, the worst result kept", async () => {
    const resend = async (key: string, id: string) => {
      // The cooldown is not what this test is about: open it now rather than wait.
      await rows(`UPDATE verifications SET resend_available_at = now() WHERE id = $1`, [id]);
      return gql(gw.url, key, RESEND_OTP, { id });
    };
    const strict = await gw.createApp({ name: "Strict resends", settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } });
    const number = randomUsNumber();
    const first = await request(strict.key, number);
    expect(first.data.requestOtp.risk.simSwap).toBe("NOT_SWAPPED");
    const v = first.data.requestOtp;
    const code = await codeFromOutbox(gw.logs, number);
    camara.swapSim(number, 1); // taken over after the first code
    const checks = camara.checks.length;
    const refused = await resend(strict.key, v.id);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "SIM_SWAP" });
    expect(camara.checks.length).toBe(checks + 1);
    expect(camara.checks.at(-1)).toMatchObject({ phoneNumber: number, maxAge: 24 });
    expect(await rows(`SELECT status FROM deliveries WHERE verification_id = $1`, [v.id])).toEqual([{ status: "SENT" }]);
    const [block] = await rows(`SELECT rule, details FROM rate_limit_blocks WHERE app_id = $1`, [strict.id]);
    expect(block).toMatchObject({ rule: "sim_swap", details: { verificationId: v.id, simSwap: "SWAPPED", action: "refuse" } });
    // The verification is as it was, but says what was seen; the code sent before the swap still verifies, its token saying so.
    expect((await gql(gw.url, strict.key, GET, { id: v.id })).data.verification).toMatchObject({ status: "PENDING", risk: { simSwap: "SWAPPED" } });
    const ok = await gql(gw.url, strict.key, VERIFY_OTP, { input: { verificationId: v.id, code } });
    expect(claimsOf(ok.data.verifyOtp.token).sim_swap).toBe("swapped");
    const supportEmail = `resend-support-${v.id.slice(0, 8)}@example.com`; // its own on a retry too
    await createStaff(gw, supportEmail, "SUPPORT");
    const support = await AdminClient.signedIn(gw.url, supportEmail);
    const checksShown = (await support.gql(TIMELINE, { id: v.id })).data.verification.timeline.filter((e: { kind: string }) => e.kind === "RISK_CHECK");
    expect(checksShown.map((e: { status: string }) => e.status)).toEqual(["NOT_SWAPPED", "SWAPPED"]);
    expect(checksShown[1].summary).toMatch(/^SIM-swap check before the resend \(SMS to \+1\*+\d{4}\): .* refused: no new code was sent/);

    // flag: each resend is checked; an outage is UNKNOWN and still sent; the verification keeps the worst result.
    const app = await gw.createApp({ name: "Flag resends", settings: { simSwap: { maxAgeHours: 24, action: "flag" } } });
    const { secret } = await gw.app.services.webhookEndpoints.add(app.id, receiver.url);
    receiver.secret = secret;
    const other = randomUsNumber();
    const f = (await request(app.key, other)).data.requestOtp;
    expect(f.risk.simSwap).toBe("NOT_SWAPPED");
    // The first code must be out before the resend: a resend supersedes a delivery not yet sent
    // (one message, not two), and on a loaded machine the worker can still hold it.
    await codeFromOutbox(gw.logs, other);
    camara.down = true;
    try {
      expect((await resend(app.key, f.id)).errors).toBeUndefined();
    } finally {
      camara.down = false;
    }
    expect(await codeFromOutbox(gw.logs, other, 1)).toMatch(/^\d{6}$/);
    expect((await gql(gw.url, app.key, GET, { id: f.id })).data.verification.risk.simSwap).toBe("UNKNOWN");
    camara.swapSim(other, 2);
    expect((await resend(app.key, f.id)).errors).toBeUndefined();
    const last = await codeFromOutbox(gw.logs, other, 2);
    const risk = (await gql(gw.url, app.key, GET, { id: f.id })).data.verification.risk;
    expect(risk.simSwap).toBe("SWAPPED");
    const verified = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: f.id, code: last } });
    expect(claimsOf(verified.data.verifyOtp.token).sim_swap).toBe("swapped");
    const approved = await eventually(() => receiver.accepted().find((e) => e.json?.data?.id === f.id && e.json.type === "verification.approved"), "the approved event");
    expect(approved.json.data.risk).toEqual(risk);
  });

  it("metrics count results by result and action and time the checks; no number, secret or token reaches a log line", async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    /** A sample's value by its labels, whatever order they are printed in. */
    const sample = (name: string, labels: Record<string, string>) => {
      const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return line ? Number(line.split(" ").at(-1)) : 0;
    };
    const count = (result: string, action: string) => sample("otp_sim_swap_checks_total", { result, action });
    expect(count("SWAPPED", "refuse")).toBeGreaterThanOrEqual(1);
    expect(count("SWAPPED", "flag")).toBeGreaterThanOrEqual(2);
    expect(count("UNKNOWN", "refuse")).toBeGreaterThanOrEqual(4);
    expect(count("NOT_SWAPPED", "flag")).toBeGreaterThanOrEqual(8);
    expect(sample("otp_sim_swap_check_duration_seconds_count", { result: "UNKNOWN" })).toBeGreaterThanOrEqual(4);
    expect(sample("otp_sim_swap_check_duration_seconds_bucket", { result: "UNKNOWN", le: "+Inf" })).toBeGreaterThanOrEqual(4);
    expect(text).not.toMatch(/otp_sim_swap[^\n]*\+1\d/);

    // The dev outbox prints its messages (numbers included) by design; nothing else may.
    const logs = gw.logs.lines.filter((l) => !JSON.parse(l).outbox).join("\n");
    expect(logs).not.toContain(CLIENT.clientSecret);
    for (const token of camara.issued) expect(logs).not.toContain(token);
    for (const c of camara.checks) expect(logs).not.toContain(String(c.phoneNumber).slice(2));
    expect(logs).toMatch(/SIM-swap check on \(CAMARA SIM Swap\)/);
  });
});
