import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProviderError, type OutboundMessage, type Provider } from "../../server/src/providers/provider";
import { Channel } from "../../server/src/verification/enums";
import { createStaffWithTotp, type AdminClient } from "../helpers/admin";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { CANCEL_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { createTestDatabase } from "../helpers/test-database";
import { FAST_RETRY } from "../helpers/vendors";
import { collect, wsClient } from "../helpers/ws-client";
import { CamaraSimSwapFake } from "../fakes/camara-sim-swap-fake";

const CAMARA_CLIENT = { clientId: "steps-client", clientSecret: "steps-secret" };

/** A vendor stand-in: numbers ending in "0" (and addresses starting "refuse") are refused for good; it keeps what it was asked to send. */
function vendor(name: string, channel: Channel): Provider & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return {
    name, channels: [channel], sent,
    send: async (m) => {
      sent.push(m);
      if (m.to.endsWith("0") || m.to.startsWith("refuse")) throw new ProviderError("permanent", "21211", "The destination refused the message");
      return { providerMessageId: `${name}-${sent.length}` };
    },
  };
}

/**
 * afterSeconds is 15–600 by contract; the gateway's step clock runs 50 times faster here
 * (createApp's stepTimeScale), so "15 s" is 0.3 s and "600 s" 12 s.
 */
const SCALE = 0.02;

const REQUEST = `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id channel status to
  steps { channel to status startsAt startedAt reason } deliveries { id channel status } } }`;
const GET = `query($id: ID!) { verification(id: $id) { id status channel steps { channel to status startsAt startedAt reason } deliveries { channel status } } }`;
const RESEND = `mutation($id: ID!) { resendOtp(verificationId: $id) { id channel steps { channel status startsAt } deliveries { channel status } } }`;
const SUBSCRIPTION = `subscription($id: ID!) { deliveryStatus(verificationId: $id) { verificationId verificationStatus delivery { id channel status } steps { channel to status reason } } }`;
const ADMIN_VIEW = `query($id: ID!) { verification(id: $id) { id steps { position channel destination status afterSeconds reason deliveryId }
  timeline { kind status channel destination summary } } }`;

/**
 * Contract "Ordered channels in one verification" (issue 22, part 1): `next` steps on requestOtp,
 * their timers as claimed rows (surviving a restart), moving on by timeout and by permanent
 * failure, stopping at approval, each step's send judged by the send limits and pumping rules,
 * resends restarting the current step, events, isolation between apps and SUPPORT's masking.
 */
describe("ordered channels: workflow steps", () => {
  let gw: TestGateway;
  const sms = vendor("steps-sms", Channel.SMS);
  const voice = vendor("steps-voice", Channel.VOICE);
  const email = vendor("steps-email", Channel.EMAIL);
  let app: { id: string; key: string };
  let support: AdminClient;
  let admin: AdminClient;
  const stepsOf = async (id: string) => (await gql(gw.url, app.key, GET, { id })).data.verification;
  const codeSentTo = (p: { sent: OutboundMessage[] }, to: string) =>
    eventually(() => {
      const m = p.sent.find((s) => s.to === to);
      return m ? extractCode(m.text) : undefined;
    }, `a message to ${to}`);
  const request = (input: Record<string, unknown>, key = app.key) => gql(gw.url, key, REQUEST, { input: { channel: "SMS", ...input } });

  /** The SIM-swap service (contract "SIM-swap check before a phone code"): only apps with a simSwap setting are checked. */
  let camara: CamaraSimSwapFake;

  beforeAll(async () => {
    camara = await CamaraSimSwapFake.start(CAMARA_CLIENT);
    gw = await startGateway({
      providers: [sms, voice, email], retry: FAST_RETRY, stepTimeScale: SCALE,
      env: {
        WORKER_POLL_MS: "100",
        SIM_SWAP_API_BASE_URL: camara.apiBaseUrl, SIM_SWAP_TOKEN_URL: camara.tokenUrl,
        SIM_SWAP_CLIENT_ID: CAMARA_CLIENT.clientId, SIM_SWAP_CLIENT_SECRET: CAMARA_CLIENT.clientSecret,
      },
    });
    app = await gw.createApp({ name: "Workflows", maxSends: 20 });
    admin = (await createStaffWithTotp(gw, "wf-admin@example.com", "ADMIN")).client;
    support = (await createStaffWithTotp(gw, "wf-agent@example.com", "SUPPORT")).client;
  });
  afterAll(async () => {
    await gw?.stop();
    await camara?.stop();
  });

  it("moves on when not verified within afterSeconds of the hand-off: the same code on the next channel, the reason on the step, the event and the timeline", async () => {
    const to = "+14155550101";
    const hook = await gw.app.services.webhookEndpoints.add(app.id, "http://127.0.0.1:9/hook", "verification.step_started");
    expect(hook.secret).toBeTruthy();
    const r = await request({ destination: to, next: [{ channel: "VOICE", afterSeconds: 15 }] });
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    expect(v.steps).toEqual([
      { channel: "SMS", to: "+1******0101", status: "ACTIVE", startsAt: expect.any(String), startedAt: expect.any(String), reason: "requested" },
      { channel: "VOICE", to: "+1******0101", status: "WAITING", startsAt: null, startedAt: null, reason: null },
    ]);
    const ws = wsClient(gw.url, app.key);
    const sub = collect(ws, SUBSCRIPTION, { id: v.id });
    const smsCode = await codeSentTo(sms, to);
    const voiceCode = await codeSentTo(voice, to);
    expect(voiceCode).toBe(smsCode); // the same code on every step
    const after = await stepsOf(v.id);
    expect(after.steps.map((s: any) => [s.channel, s.status])).toEqual([["SMS", "DONE"], ["VOICE", "ACTIVE"]]);
    expect(after.steps[1].reason).toBe("not verified within 15 s of the SMS");
    expect(after.deliveries.map((d: any) => d.channel)).toEqual(["SMS", "VOICE"]);
    // The subscriber heard the step change, with the whole plan, masked.
    const stepEvent = await eventually(() => sub.results.find((x) => x.data?.deliveryStatus.steps)?.data.deliveryStatus, "a step event");
    expect(stepEvent.delivery).toMatchObject({ channel: "VOICE", status: "QUEUED" });
    expect(stepEvent.steps).toEqual([
      { channel: "SMS", to: "+1******0101", status: "DONE", reason: "requested" },
      { channel: "VOICE", to: "+1******0101", status: "ACTIVE", reason: "not verified within 15 s of the SMS" },
    ]);
    sub.unsubscribe();
    await ws.dispose();
    // The webhook event: masked, never the code, never the whole number.
    const [event] = await gw.app.db.ds.query(`SELECT data FROM webhook_events WHERE verification_id = $1 AND type = 'verification.step_started'`, [v.id]);
    expect(event.data).toMatchObject({ verificationId: v.id, position: 1, step: { channel: "VOICE", to: "+1******0101", status: "ACTIVE", reason: "not verified within 15 s of the SMS" } });
    expect(JSON.stringify(event.data)).not.toContain(smsCode);
    expect(JSON.stringify(event.data)).not.toContain("4155550101");
    await gw.app.services.webhookEndpoints.remove(app.id, hook.endpoint.id);

    // The code verifies once, and the workflow is over. Every step went to the number itself:
    // the token says it is verified, and names both channels the code went out on.
    const approved = (await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: v.id, code: voiceCode } })).data.verifyOtp;
    expect(approved.status).toBe("APPROVED");
    expect(claimsOf(approved.token)).toMatchObject({ phone_number: to, phone_number_verified: true, amr: ["otp", "sms", "voice"] });
    expect((await gw.app.db.ds.query(`SELECT status FROM verification_steps WHERE verification_id = $1 ORDER BY position`, [v.id])).map((s: any) => s.status)).toEqual(["DONE", "DONE"]);

    // The dashboard: the steps and why each started; SUPPORT sees the number masked everywhere, ADMIN whole.
    const seen = await support.gql(ADMIN_VIEW, { id: v.id });
    expect(seen.errors).toBeUndefined();
    expect(seen.data.verification.steps.map((s: any) => s.destination)).toEqual(["+1******0101", "+1******0101"]);
    const line = seen.data.verification.timeline.find((t: any) => t.kind === "STEP");
    expect(line).toMatchObject({ status: "STARTED", channel: "VOICE", destination: "+1******0101", summary: "Step 2: VOICE to +1******0101 started: not verified within 15 s of the SMS" });
    expect(JSON.stringify(seen.data)).not.toContain("4155550101");
    const whole = await admin.gql(ADMIN_VIEW, { id: v.id });
    expect(whole.data.verification.steps[1]).toMatchObject({ position: 1, channel: "VOICE", destination: to, status: "DONE", afterSeconds: 15 });
  });

  it("moves on at once when a step's delivery fails for good, also to another destination; the app's fallback is not used; the last failure fails the verification", async () => {
    const to = "+14155550110"; // SMS and VOICE refuse it
    const r = await request({ destination: to, next: [{ channel: "EMAIL", destination: "Ann@Example.com", afterSeconds: 600 }] });
    expect(r.errors).toBeUndefined();
    const id = r.data.requestOtp.id;
    expect(r.data.requestOtp.steps[1]).toMatchObject({ channel: "EMAIL", to: "a***@example.com", status: "WAITING" });
    // 600 s (12 s here) would be far away: the failure starts the e-mail step at once.
    const code = await codeSentTo(email, "ann@example.com");
    const v = await eventually(async () => {
      const got = await stepsOf(id);
      return got.deliveries[1]?.status === "SENT" ? got : undefined;
    }, "the e-mail step's hand-off");
    expect(v.steps.map((s: any) => [s.channel, s.status, s.reason])).toEqual([["SMS", "DONE", "requested"], ["EMAIL", "ACTIVE", "the SMS failed permanently"]]);
    expect(v.deliveries).toEqual([{ channel: "SMS", status: "FAILED" }, { channel: "EMAIL", status: "SENT" }]);
    expect(v.status).toBe("PENDING"); // the e-mail can still reach the person
    const ok = (await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code } })).data.verifyOtp;
    expect(ok.status).toBe("APPROVED");
    // The code also went to an e-mail address: its holder proved one of the two, not the number.
    expect(claimsOf(ok.token)).toMatchObject({ phone_number: to, phone_number_verified: false, amr: ["otp", "sms", "email"] });

    // Every step failing: FAILED after the last, not before; no voice fallback although the app has one.
    const fallbackApp = await gw.createApp({ name: "Fallback app", settings: { fallbackChannel: "VOICE" } });
    const f = await request({ destination: "+14155550120", next: [{ channel: "EMAIL", destination: "refuse@example.com", afterSeconds: 600 }] }, fallbackApp.key);
    const fid = f.data.requestOtp.id;
    await eventually(async () => ((await gql(gw.url, fallbackApp.key, GET, { id: fid })).data.verification.status === "FAILED" ? true : undefined), "the verification to fail");
    const failed = (await gql(gw.url, fallbackApp.key, GET, { id: fid })).data.verification;
    expect(failed.deliveries).toEqual([{ channel: "SMS", status: "FAILED" }, { channel: "EMAIL", status: "FAILED" }]);
    expect(failed.steps.map((s: any) => s.status)).toEqual(["DONE", "DONE"]);
    expect(voice.sent.filter((m) => m.to === "+14155550120")).toEqual([]);
    // Without `next`, the same app's fallback still applies (the default).
    const plain = await request({ destination: "+14155550130" }, fallbackApp.key);
    await eventually(() => (voice.sent.some((m) => m.to === "+14155550130") ? true : undefined), "the app's voice fallback");
    // The stand-in refuses this number on voice too (it ends in 0): the fallback's failure ends the verification.
    const ended = await eventually(async () => {
      const v = (await gql(gw.url, fallbackApp.key, GET, { id: plain.data.requestOtp.id })).data.verification;
      return v.status === "FAILED" ? v : undefined;
    }, "the fallback's failure to end it");
    expect(ended.deliveries).toEqual([{ channel: "SMS", status: "FAILED" }, { channel: "VOICE", status: "FAILED" }]);
    expect(ended.steps).toEqual([
      { channel: "SMS", to: "+1******0130", status: "DONE", startsAt: expect.any(String), startedAt: expect.any(String), reason: "requested" },
    ]);
  });

  it("stops at approval, cancel or expiry: the rest SKIPPED, their timers dropped, nothing more sent; another app sees nothing", async () => {
    const to = "+14155550102";
    const r = await request({ destination: to, next: [{ channel: "VOICE", afterSeconds: 600 }, { channel: "EMAIL", destination: "bo@example.com" }] });
    const id = r.data.requestOtp.id;
    const code = await codeSentTo(sms, to);
    await eventually(async () => ((await stepsOf(id)).steps[1].startsAt ? true : undefined), "the voice step's timer to run");
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    const rows = await gw.app.db.ds.query(`SELECT position, status, ended_reason FROM verification_steps WHERE verification_id = $1 ORDER BY position`, [id]);
    expect(rows).toEqual([
      { position: 0, status: "DONE", ended_reason: "approved" },
      { position: 1, status: "SKIPPED", ended_reason: "approved" },
      { position: 2, status: "SKIPPED", ended_reason: "approved" },
    ]);
    // The dropped timer comes due (moved to the past here): no worker starts a skipped step.
    await gw.app.db.ds.query(`UPDATE verification_steps SET starts_at = now() - interval '1 second' WHERE verification_id = $1`, [id]);
    await new Promise((res) => setTimeout(res, 500)); // five of the worker's polls
    expect(voice.sent.filter((m) => m.to === to)).toEqual([]);
    expect(email.sent.filter((m) => m.to === "bo@example.com")).toEqual([]);
    expect((await stepsOf(id)).deliveries).toEqual([{ channel: "SMS", status: "SENT" }]);

    // Cancel: the same.
    const c = await request({ destination: "+14155550103", next: [{ channel: "VOICE", afterSeconds: 600 }] });
    const cid = c.data.requestOtp.id;
    await codeSentTo(sms, "+14155550103");
    expect((await gql(gw.url, app.key, CANCEL_OTP, { id: cid })).data.cancelOtp.status).toBe("CANCELED");
    expect((await stepsOf(cid)).steps.map((s: any) => [s.status, s.reason])).toEqual([["DONE", "requested"], ["SKIPPED", "canceled"]]);
    // Expiry (the sweep's statement): the same trigger.
    const e = await request({ destination: "+14155550104", next: [{ channel: "VOICE", afterSeconds: 600 }] });
    await gw.app.db.ds.query(`UPDATE verifications SET status = 'EXPIRED' WHERE id = $1`, [e.data.requestOtp.id]);
    expect((await gw.app.db.ds.query(`SELECT status, ended_reason FROM verification_steps WHERE verification_id = $1 AND position = 1`, [e.data.requestOtp.id]))[0])
      .toEqual({ status: "SKIPPED", ended_reason: "expired" });

    // Another app: NOT_FOUND for the verification, its steps and its subscription.
    const other = await gw.createApp({ name: "Other" });
    expect(errorCode(await gql(gw.url, other.key, GET, { id: cid }))).toBe("NOT_FOUND");
    const ws = wsClient(gw.url, other.key);
    const sub = collect(ws, SUBSCRIPTION, { id: cid });
    await eventually(() => (sub.error || sub.results.some((x) => x.errors) ? true : undefined), "the subscription to be refused");
    expect(JSON.stringify(sub.error ?? sub.results)).toContain("NOT_FOUND");
    expect(sub.results.some((x) => x.data)).toBe(false);
    await ws.dispose();
  });

  it("resendOtp restarts the current step: a new code on its channel, and the next step's timer starts again from the new hand-off", async () => {
    const resendApp = await gw.createApp({ name: "Resends", resendCooldownSeconds: 1, maxSends: 20 });
    const to = "+14155550105";
    const r = await request({ destination: to, next: [{ channel: "VOICE", afterSeconds: 600 }] }, resendApp.key);
    const id = r.data.requestOtp.id;
    const first = await codeSentTo(sms, to);
    await eventually(async () => ((await gql(gw.url, resendApp.key, GET, { id })).data.verification.steps[1].startsAt ? true : undefined), "the voice step's timer");
    const timer1 = (await gql(gw.url, resendApp.key, GET, { id })).data.verification.steps[1].startsAt;
    await new Promise((res) => setTimeout(res, 1100)); // the app's 1 s resend cooldown
    const again = await gql(gw.url, resendApp.key, RESEND, { id });
    expect(again.errors).toBeUndefined();
    // The old timer is gone: the voice step waits for the resent SMS's hand-off, which the worker
    // may already have recorded by the time the answer reads the plan (then a new, later timer).
    const [smsStep, voiceStep] = again.data.resendOtp.steps;
    expect(smsStep).toEqual({ channel: "SMS", status: "ACTIVE", startsAt: expect.any(String) });
    expect(voiceStep).toMatchObject({ channel: "VOICE", status: "WAITING" });
    if (voiceStep.startsAt !== null) expect(new Date(voiceStep.startsAt).getTime()).toBeGreaterThan(new Date(timer1).getTime());
    const second = await eventually(() => {
      const ms = sms.sent.filter((m) => m.to === to);
      return ms.length === 2 ? extractCode(ms[1].text) : undefined;
    }, "the resent SMS");
    expect(second).not.toBe(first);
    const timer2 = await eventually(async () => (await gql(gw.url, resendApp.key, GET, { id })).data.verification.steps[1].startsAt ?? undefined, "the new timer");
    expect(new Date(timer2).getTime()).toBeGreaterThan(new Date(timer1).getTime());
    const row = (await gw.app.db.ds.query(`SELECT delivery_id FROM verification_steps WHERE verification_id = $1 AND position = 0`, [id]))[0];
    const [latest] = await gw.app.db.ds.query(`SELECT id FROM deliveries WHERE verification_id = $1 ORDER BY created_at DESC LIMIT 1`, [id]);
    expect(row.delivery_id).toBe(latest.id);
    expect((await gql(gw.url, resendApp.key, VERIFY_OTP, { input: { verificationId: id, code: second } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("a resend on a later step goes out on that step's channel (the verification keeps its first)", async () => {
    const resendApp = await gw.createApp({ name: "Later resends", resendCooldownSeconds: 1, maxSends: 20 });
    const to = "+14155550107";
    const r = await request({ destination: to, next: [{ channel: "VOICE", afterSeconds: 15 }] }, resendApp.key);
    const id = r.data.requestOtp.id;
    await codeSentTo(voice, to); // the SMS went unverified: the voice step is the current one
    await new Promise((res) => setTimeout(res, 1100)); // the app's 1 s resend cooldown
    const again = await gql(gw.url, resendApp.key, RESEND, { id });
    expect(again.errors).toBeUndefined();
    expect(again.data.resendOtp.channel).toBe("SMS");
    expect(again.data.resendOtp.steps.map((x: any) => [x.channel, x.status])).toEqual([["SMS", "DONE"], ["VOICE", "ACTIVE"]]);
    const calls = await eventually(() => {
      const c = voice.sent.filter((m) => m.to === to);
      return c.length === 2 ? c : undefined;
    }, "the second call");
    expect(sms.sent.filter((m) => m.to === to)).toHaveLength(1); // nothing resent on the first step's channel
    const code = extractCode(calls[1].text)!;
    expect((await gw.app.db.ds.query(`SELECT channel FROM deliveries WHERE verification_id = $1 ORDER BY created_at`, [id])).map((d: any) => d.channel)).toEqual(["SMS", "VOICE", "VOICE"]);
    expect((await gql(gw.url, resendApp.key, VERIFY_OTP, { input: { verificationId: id, code } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("bad steps are BAD_USER_INPUT (or FORBIDDEN) naming the step, and store nothing", async () => {
    const count = async () => (await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM verifications WHERE app_id = $1`, [app.id]))[0].n;
    const before = await count();
    const to = "+14155550106";
    const cases: Array<[unknown, string, string]> = [
      [[{ channel: "VOICE" }, { channel: "EMAIL", destination: "a@example.com" }, { channel: "SMS" }, { channel: "VOICE" }], "BAD_USER_INPUT", "next"],
      [[{ channel: "VOICE", afterSeconds: 14 }], "BAD_USER_INPUT", "next[0].afterSeconds"],
      [[{ channel: "VOICE", afterSeconds: 601 }], "BAD_USER_INPUT", "next[0].afterSeconds"],
      [[{ channel: "EMAIL" }], "BAD_USER_INPUT", "next[0].channel"], // an e-mail step needs an e-mail address
      [[{ channel: "VOICE" }, { channel: "SMS", destination: "bo@example.com" }], "BAD_USER_INPUT", "next[1].channel"],
      [[{ channel: "EMAIL", destination: "not an address@" }], "BAD_USER_INPUT", "next[0].destination"],
      [[{ channel: "VOICE", destination: "+1 555" }], "BAD_USER_INPUT", "next[0].destination"],
    ];
    for (const [next, code, field] of cases) {
      const r = await request({ destination: to, next });
      expect(errorCode(r), JSON.stringify(next)).toBe(code);
      expect(r.errors![0].extensions!.field).toBe(field);
    }
    // A country the app forbids for a step's channel: FORBIDDEN up front.
    const usOnly = await gw.createApp({ name: "US only", countries: ["US"] });
    expect(errorCode(await request({ destination: to, next: [{ channel: "SMS", destination: "+442071838750" }] }, usOnly.key))).toBe("FORBIDDEN");
    expect(await count()).toBe(before);
    expect(sms.sent.filter((m) => m.to === to)).toEqual([]);
  });

  it("each step is a send of its own: the pumping rules refuse a step, which is SKIPPED with the reason (and the rest with it) while the first code stays good", async () => {
    const pumped = await gw.createApp({ name: "Pumped", maxSends: 50, settings: { limits: { pumping: { prefix: { floor: 2, share: 0.5 }, country: null } } } as never });
    // Three open codes in one range, then a workflow: its second step would be the fifth unverified send there.
    for (const n of [1, 2, 3]) expect((await request({ destination: `+1212555010${n}` }, pumped.key)).errors).toBeUndefined();
    const to = "+12125550105";
    const r = await request({ destination: to, next: [{ channel: "VOICE", afterSeconds: 15 }, { channel: "SMS", afterSeconds: 15 }] }, pumped.key);
    expect(r.errors).toBeUndefined();
    const id = r.data.requestOtp.id;
    const code = await codeSentTo(sms, to);
    const v = await eventually(async () => {
      const got = (await gql(gw.url, pumped.key, GET, { id })).data.verification;
      return got.steps[1].status === "SKIPPED" ? got : undefined;
    }, "the voice step to be refused");
    expect(v.steps.map((s: any) => s.status)).toEqual(["ACTIVE", "SKIPPED", "SKIPPED"]);
    expect(v.steps[1].reason).toMatch(/^refused by the send limits \(RATE_LIMITED, retry after \d+ s\)/);
    expect(v.steps[2].reason).toBe("an earlier step was refused");
    expect(voice.sent.filter((m) => m.to === to)).toEqual([]);
    expect(v.deliveries).toEqual([{ channel: "SMS", status: "SENT" }]);
    const [block] = await gw.app.db.ds.query(`SELECT rule FROM rate_limit_blocks WHERE app_id = $1 AND rule = 'pumping_prefix'`, [pumped.id]);
    expect(block).toBeTruthy();
    // The timeline says why the step never ran.
    const t = await admin.gql(ADMIN_VIEW, { id });
    expect(t.data.verification.timeline.filter((e: any) => e.kind === "STEP").map((e: any) => e.status)).toEqual(["SKIPPED"]);
    expect((await gql(gw.url, pumped.key, VERIFY_OTP, { input: { verificationId: id, code } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("a later step to a number not yet checked is SIM-swap checked: refuse skips it and moves on to the next step at once; the rest keep the code", async () => {
    const strict = await gw.createApp({ name: "Strict steps", maxSends: 20, settings: { simSwap: { maxAgeHours: 24, action: "refuse" } } });
    const own = "+16465550211";
    const swapped = "+13035550212";
    camara.swapSim(swapped, 3);
    const r = await request({ destination: own, next: [{ channel: "SMS", destination: swapped, afterSeconds: 15 }, { channel: "EMAIL", destination: "cy@example.com", afterSeconds: 600 }] }, strict.key);
    expect(r.errors).toBeUndefined();
    const id = r.data.requestOtp.id;
    const code = await codeSentTo(sms, own);
    // Skipped, and the e-mail step starts at once (not 600 s on): the same code, the way to reach the person a swap calls for.
    expect(await codeSentTo(email, "cy@example.com")).toBe(code);
    const v = (await gql(gw.url, strict.key, GET, { id })).data.verification;
    expect(v.steps.map((s: any) => [s.channel, s.status])).toEqual([["SMS", "DONE"], ["SMS", "SKIPPED"], ["EMAIL", "ACTIVE"]]);
    expect(v.steps[1].reason).toBe("refused by the SIM-swap check (SIM_SWAP): the SIM card of this number changed recently");
    expect(v.steps[2].reason).toBe("the SMS was skipped");
    expect(sms.sent.filter((m) => m.to === swapped)).toEqual([]);
    expect(camara.checks.map((c) => c.phoneNumber)).toEqual(expect.arrayContaining([own, swapped]));
    const [block] = await gw.app.db.ds.query(`SELECT rule, details FROM rate_limit_blocks WHERE app_id = $1 AND rule = 'sim_swap'`, [strict.id]);
    expect(block.details).toMatchObject({ verificationId: id, simSwap: "SWAPPED", action: "refuse" });
    // SUPPORT's timeline: both checks, the step's refusal, the number masked.
    const t = (await support.gql(ADMIN_VIEW, { id })).data.verification.timeline;
    expect(t.filter((e: any) => e.kind === "RISK_CHECK").map((e: any) => e.summary)).toEqual([
      "SIM-swap check: no recent SIM change",
      "SIM-swap check before step 2 (SMS to +1******0212): the number's SIM card changed recently — refused: the step was skipped",
    ]);
    expect(t.find((e: any) => e.kind === "STEP" && e.status === "SKIPPED").summary).not.toMatch(/workflow stops/);
    expect(JSON.stringify(t)).not.toContain("3035550212");
    expect((await gql(gw.url, strict.key, VERIFY_OTP, { input: { verificationId: id, code } })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("flag: a phone step after an e-mail is checked, its event and token say so; the same number is not checked twice; an outage is UNKNOWN and still sent", async () => {
    const flag = await gw.createApp({ name: "Flag steps", maxSends: 20, settings: { simSwap: { maxAgeHours: 24, action: "flag" } } });
    const hook = await gw.app.services.webhookEndpoints.add(flag.id, "http://127.0.0.1:9/hook", "verification.step_started");
    expect(hook.secret).toBeTruthy();
    const phone = "+17185550213";
    camara.swapSim(phone, 5);
    const before = camara.checks.length;
    const r = await request({ destination: "di@example.com", channel: "EMAIL", next: [{ channel: "SMS", destination: phone, afterSeconds: 15 }, { channel: "VOICE", destination: phone, afterSeconds: 15 }] }, flag.key);
    expect(r.errors).toBeUndefined();
    const id = r.data.requestOtp.id;
    expect(camara.checks.length).toBe(before); // an e-mail is not checked
    await codeSentTo(sms, phone);
    const code = await codeSentTo(voice, phone);
    expect(camara.checks.slice(before).map((c) => c.phoneNumber)).toEqual([phone]); // once for both steps
    const [event] = await gw.app.db.ds.query(`SELECT data FROM webhook_events WHERE verification_id = $1 AND type = 'verification.step_started' ORDER BY created_at LIMIT 1`, [id]);
    expect(event.data.risk).toEqual({ simSwap: "SWAPPED", checkedAt: expect.any(String) });
    const ok = await gql(gw.url, flag.key, VERIFY_OTP, { input: { verificationId: id, code } });
    expect(JSON.parse(Buffer.from(ok.data.verifyOtp.token.split(".")[1], "base64url").toString()).sim_swap).toBe("swapped");
    await gw.app.services.webhookEndpoints.remove(flag.id, hook.endpoint.id);

    // The operator down when a step to another number starts: UNKNOWN, sent, and the verification's risk rises to it.
    const own = "+16175550214";
    const other = "+16175550215";
    const u = await request({ destination: own, next: [{ channel: "SMS", destination: other, afterSeconds: 15 }] }, flag.key);
    expect(u.errors).toBeUndefined();
    camara.down = true;
    try {
      await codeSentTo(sms, other);
    } finally {
      camara.down = false;
    }
    const [row] = await gw.app.db.ds.query(`SELECT sim_swap FROM verifications WHERE id = $1`, [u.data.requestOtp.id]);
    expect(row.sim_swap).toBe("UNKNOWN");
  });
});

describe("ordered channels: a step's timer survives a restart of every process", () => {
  it("the worker that saw the hand-off stops; another process on the same database starts the step when it is due", async () => {
    const db = await createTestDatabase();
    const smsA = vendor("restart-sms", Channel.SMS);
    const voiceA = vendor("restart-voice", Channel.VOICE);
    const a = await startGateway({ databaseUrl: db.url, providers: [smsA, voiceA], stepTimeScale: SCALE });
    let b: TestGateway | undefined;
    try {
      const app = await a.createApp({ name: "Restart" });
      const to = "+14155550107";
      // 250 s at the test's scale: 5 s after the SMS hand-off, long after this process has stopped.
      const r = await gql(a.url, app.key, REQUEST, { input: { destination: to, channel: "SMS", next: [{ channel: "VOICE", afterSeconds: 250 }] } });
      const id = r.data.requestOtp.id;
      const code = await eventually(() => (smsA.sent[0] ? extractCode(smsA.sent[0].text) : undefined), "the SMS");
      const stepRow = () => a.app.db.ds.query(`SELECT status, starts_at FROM verification_steps WHERE verification_id = $1 AND position = 1`, [id]).then((x: any[]) => x[0]);
      await eventually(async () => ((await stepRow()).starts_at ? true : undefined), "the voice step's timer");
      await a.stop();
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      const { rows: [waiting] } = await pool.query(`SELECT status FROM verification_steps WHERE verification_id = $1 AND position = 1`, [id]);
      await pool.end();
      expect(waiting.status).toBe("WAITING"); // nothing in the stopped process started it
      expect(voiceA.sent).toEqual([]);

      const smsB = vendor("restart-sms", Channel.SMS);
      const voiceB = vendor("restart-voice", Channel.VOICE);
      b = await startGateway({ databaseUrl: db.url, providers: [smsB, voiceB], stepTimeScale: SCALE });
      const voiceCode = await eventually(() => (voiceB.sent[0] ? extractCode(voiceB.sent[0].text) : undefined), "the voice step, from the new process");
      expect(voiceCode).toBe(code);
      expect(voiceB.sent[0].to).toBe(to);
      expect(smsB.sent).toEqual([]); // nothing sent twice
      const v = (await gql(b.url, app.key, GET, { id })).data.verification;
      expect(v.steps.map((s: any) => [s.status, s.reason])).toEqual([["DONE", "requested"], ["ACTIVE", "not verified within 250 s of the SMS"]]);
    } finally {
      await b?.stop();
      await a.stop();
      await db.drop();
    }
  });
});

/** The token's claims (its signature is the lifecycle suites' concern). */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}
