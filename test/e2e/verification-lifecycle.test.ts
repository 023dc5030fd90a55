import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { CANCEL_OTP, GET_VERIFICATION, REQUEST_OTP, RESEND_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { codeFromOutbox, eventually } from "../helpers/codes";

const COOLDOWN = 3; // seconds

/** The lifecycle over the outbox provider (the embedded default's), on the real Postgres and Redis. */
describe("verification lifecycle", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway();
    // A cooldown a loaded machine can't outrun between a request and the "too early" resend (1 s could).
    app = await gw.createApp({ name: "Acme", maxSends: 50, resendCooldownSeconds: COOLDOWN });
  });
  afterAll(() => gw?.stop());

  const request = (destination: string, extra: Record<string, unknown> = {}, key = app.key) =>
    gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", ...extra } });
  const verify = (input: Record<string, unknown>, key = app.key) => gql(gw.url, key, VERIFY_OTP, { input });
  /** Waits until the cooldown is over by the database's clock, the one resendOtp's statement compares with. */
  const cooledDown = (id: string) =>
    eventually(async () => {
      const [row] = await gw.app.db.ds.query(`SELECT resend_available_at <= now() AS ok FROM verifications WHERE id = $1`, [id]);
      return row.ok ? true : undefined;
    }, "the resend cooldown to end");

  it("request → message holds the code → wrong code → right code with a JWT → replay is NOT_FOUND", async () => {
    const r = await request("+1 415 555 2671", { purpose: "login" });
    expect(r.errors).toBeUndefined();
    const v = r.data.requestOtp;
    expect(v).toMatchObject({ channel: "SMS", status: "PENDING", to: "+1******2671", purpose: "login", codeLength: 6, attemptsRemaining: 5 });
    expect(v.deliveries).toHaveLength(1);
    expect(v.deliveries[0]).toMatchObject({ channel: "SMS", provider: "outbox", status: "QUEUED" });
    expect(new Date(v.expiresAt).getTime() - Date.now()).toBeGreaterThan(290_000);

    const code = await codeFromOutbox(gw.logs, "+14155552671");
    const wrong = code === "000000" ? "111111" : "000000";
    const w = await verify({ verificationId: v.id, code: wrong });
    expect(w.data.verifyOtp).toEqual({ status: "PENDING", attemptsRemaining: 4, token: null });

    const ok = await verify({ verificationId: v.id, code });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect(ok.data.verifyOtp.attemptsRemaining).toBe(4);
    const jwks = createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(ok.data.verifyOtp.token, jwks, { issuer: gw.env.PUBLIC_URL, audience: app.id });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({ sub: v.id, phone_number: "+14155552671", phone_number_verified: true, amr: ["otp", "sms"], purpose: "login" });
    expect(payload.exp! - payload.iat!).toBe(300);

    const replay = await verify({ verificationId: v.id, code });
    expect(errorCode(replay)).toBe("NOT_FOUND");
    const status = await gql(gw.url, app.key, GET_VERIFICATION, { id: v.id });
    expect(status.data.verification.status).toBe("APPROVED");
  });

  it("delivers through the worker: the delivery ends SENT", async () => {
    const r = await request("+14155550101");
    const id = r.data.requestOtp.id;
    await eventually(async () => {
      const s = await gql(gw.url, app.key, GET_VERIFICATION, { id });
      return s.data.verification.deliveries[0].status === "SENT" ? true : undefined;
    }, "the delivery to be SENT");
  });

  it("verifies by destination, in another format, against the latest pending verification", async () => {
    await request("+44 7400 123456");
    const code = await codeFromOutbox(gw.logs, "+447400123456");
    const ok = await verify({ destination: "0044 (7400) 123-456", code });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect(errorCode(await verify({ destination: "+447400123456", code }))).toBe("NOT_FOUND");
  });

  it("binds the transaction into the token", async () => {
    const r = await request("+14155550102", { purpose: "payment", transaction: { amount: "€42.00", payee: "Shop GmbH" } });
    const code = await codeFromOutbox(gw.logs, "+14155550102");
    const body = gw.logs.outboxBodies().find((b) => b.includes(code))!;
    expect(body).toContain("€42.00");
    expect(body).toContain("Shop GmbH");
    const ok = await verify({ verificationId: r.data.requestOtp.id, code });
    const payload = JSON.parse(Buffer.from(ok.data.verifyOtp.token.split(".")[1], "base64url").toString());
    expect(payload.transaction).toEqual({ amount: "€42.00", payee: "Shop GmbH" });
  });

  it("locks out after max attempts: PENDING with one fewer each time, then MAX_ATTEMPTS_REACHED, and the right code no longer works", async () => {
    const r = await request("+14155550103");
    const id = r.data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, "+14155550103");
    const wrong = code === "999999" ? "888888" : "999999";
    const remaining = [];
    for (let i = 0; i < 5; i++) remaining.push((await verify({ verificationId: id, code: wrong })).data.verifyOtp);
    expect(remaining.map((x) => x.attemptsRemaining)).toEqual([4, 3, 2, 1, 0]);
    expect(remaining.map((x) => x.status)).toEqual(["PENDING", "PENDING", "PENDING", "PENDING", "MAX_ATTEMPTS_REACHED"]);
    const late = await verify({ verificationId: id, code });
    expect(late.data.verifyOtp).toEqual({ status: "MAX_ATTEMPTS_REACHED", attemptsRemaining: 0, token: null });
  });

  it("cancel: the code stops working and verify answers CANCELED", async () => {
    const r = await request("+14155550104");
    const id = r.data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, "+14155550104");
    const c = await gql(gw.url, app.key, CANCEL_OTP, { id });
    expect(c.data.cancelOtp.status).toBe("CANCELED");
    expect((await verify({ verificationId: id, code })).data.verifyOtp).toMatchObject({ status: "CANCELED", token: null });
  });

  it("resend: a new code, the old one dead, the failed-attempt budget kept, the cooldown growing", async () => {
    const to = "+14155550105";
    const r = await request(to);
    const id = r.data.requestOtp.id;
    const first = await codeFromOutbox(gw.logs, to);
    const wrong = first === "000001" ? "000002" : "000001";
    await verify({ verificationId: id, code: wrong });

    const early = await gql(gw.url, app.key, RESEND_OTP, { id });
    expect(errorCode(early)).toBe("RATE_LIMITED");
    expect(early.errors![0].extensions!.retryAfter).toBeGreaterThanOrEqual(1);

    await cooledDown(id);
    const count = gw.logs.outboxBodies().length;
    const resent = await gql(gw.url, app.key, RESEND_OTP, { id });
    expect(resent.errors).toBeUndefined();
    expect(resent.data.resendOtp.attemptsRemaining).toBe(4);
    expect(resent.data.resendOtp.deliveries).toHaveLength(2);
    // cooldown doubles: COOLDOWN after the first send, twice that after the first resend
    const wait = new Date(resent.data.resendOtp.resendAvailableAt).getTime() - Date.now();
    expect(wait).toBeGreaterThan(COOLDOWN * 1000 + 1000);
    const second = await eventually(() => {
      const bodies = gw.logs.outboxBodies().slice(count);
      return bodies.length ? bodies[0].match(/\d{6}/)![0] : undefined;
    }, "the resent code");

    if (second !== first) {
      const old = await verify({ verificationId: id, code: first });
      expect(old.data.verifyOtp).toMatchObject({ status: "PENDING", attemptsRemaining: 3 });
    }
    const ok = await verify({ verificationId: id, code: second });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });

  it("resend may switch channel SMS → VOICE, and not to a channel the destination can't take", async () => {
    const to = "+14155550106";
    const id = (await request(to)).data.requestOtp.id;
    await cooledDown(id);
    expect(errorCode(await gql(gw.url, app.key, RESEND_OTP, { id, channel: "EMAIL" }))).toBe("BAD_USER_INPUT");
    const voice = await gql(gw.url, app.key, RESEND_OTP, { id, channel: "VOICE" });
    expect(voice.data.resendOtp.channel).toBe("VOICE");
    const code = await eventually(() => {
      const line = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.outbox?.channel === "VOICE" && l.outbox.to === to);
      return line ? line.outbox.body.match(/(\d(?:, \d){5})/)[1].replace(/, /g, "") : undefined;
    }, "the voice script");
    const ok = await verify({ verificationId: id, code });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    const payload = JSON.parse(Buffer.from(ok.data.verifyOtp.token.split(".")[1], "base64url").toString());
    expect(payload.amr).toEqual(["otp", "voice"]);
  });

  it("e-mail: normalized, masked, verified with an email claim", async () => {
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "  John.Doe@Example.COM ", channel: "EMAIL" } });
    expect(r.data.requestOtp.to).toBe("j***@example.com");
    const code = await codeFromOutbox(gw.logs, "john.doe@example.com");
    const ok = await verify({ verificationId: r.data.requestOtp.id, code });
    const payload = JSON.parse(Buffer.from(ok.data.verifyOtp.token.split(".")[1], "base64url").toString());
    expect(payload).toMatchObject({ email: "john.doe@example.com", email_verified: true, amr: ["otp", "email"] });
  });
});
