import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, refusal } from "../helpers/abuse";
import { RetentionJob } from "../../server/src/retention/retention-job";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { gql } from "../helpers/graphql-client";
import { ENROLL_TOTP, REVOKE_TOTP, TOTP_FACTORS, TestClock, decodeQrSvg, enroll, phoneCode, verifyTotp, wrongCode } from "../helpers/totp";

/**
 * Authenticator-app factors end to end against a real gateway, once over Postgres + Redis and
 * once with the in-process limiter (no Redis). Codes come from `otpauth` (the phone's side),
 * never from the gateway's own TOTP module; the gateway's clock is injected and stepped.
 */
describe.each([{ redis: true }, { redis: false }])("TOTP factors (redis: $redis)", ({ redis }) => {
  let gw: TestGateway;
  const clock = new TestClock();

  beforeAll(async () => {
    gw = await startGateway({ redis, clock: clock.read });
  });
  afterAll(() => gw?.stop());

  const status = (r: { data?: any }) => r.data?.verifyTotp?.status as string | undefined;
  const attemptRows = (factorId: string) =>
    gw.app.db.ds.query(`SELECT outcome, client_ip FROM totp_attempts WHERE factor_id = $1 ORDER BY id`, [factorId]) as Promise<Array<{ outcome: string; client_ip: string }>>;

  it("enrols: UNVERIFIED factor, base32 secret, the contract's otpauth URI, and a QR code that decodes to exactly that URI", async () => {
    const app = await gw.createApp({ name: "Acme Bank" });
    const e = await enroll(gw, app.key, { subject: "user-42", label: "alice@example.com" });
    expect(e.factor).toMatchObject({ subject: "user-42", label: "alice@example.com", status: "UNVERIFIED", verifiedAt: null, lastUsedAt: null });
    expect(e.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(e.uri).toBe(`otpauth://totp/Acme%20Bank:alice%40example.com?secret=${e.secret}&issuer=Acme%20Bank&algorithm=SHA1&digits=6&period=30`);
    expect(e.qrCodeSvg.startsWith("<svg")).toBe(true);
    expect(decodeQrSvg(e.qrCodeSvg)).toBe(e.uri);

    // Issuer given; label absent: the subject names the account.
    const own = await enroll(gw, app.key, { subject: "user-43", issuer: "Acme" });
    expect(own.uri).toBe(`otpauth://totp/Acme:user-43?secret=${own.secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30`);
    expect(decodeQrSvg(own.qrCodeSvg)).toBe(own.uri);

    // At rest: sealed, not the secret; shown once (no read returns it).
    const [row] = await gw.app.db.ds.query(`SELECT secret_cipher FROM totp_factors WHERE id = $1`, [e.factor.id]);
    expect(row.secret_cipher.length).toBeGreaterThan(28);
    expect(row.secret_cipher.toString("latin1")).not.toContain(e.secret);
    const listed = await gql(gw.url, app.key, TOTP_FACTORS, { subject: "user-42" });
    expect(listed.data.totpFactors).toEqual([expect.objectContaining({ id: e.factor.id, status: "UNVERIFIED" })]);
    expect(JSON.stringify(listed)).not.toContain(e.secret);
    expect(gw.logs.lines.join("\n")).not.toContain(e.secret);
  });

  it("confirms with the first right code (APPROVED, VERIFIED), then verifies by subject; the token's claims check against the JWKS", async () => {
    const app = await gw.createApp({ name: "Tokens" });
    const e = await enroll(gw, app.key, { subject: "subj-token" });
    const first = await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) });
    expect(first.data.verifyTotp).toMatchObject({ status: "APPROVED", attemptsRemaining: 5 });
    const [listed] = (await gql(gw.url, app.key, TOTP_FACTORS, { subject: "subj-token" })).data.totpFactors;
    expect(listed.status).toBe("VERIFIED");
    expect(listed.verifiedAt).not.toBeNull();
    expect(listed.lastUsedAt).not.toBeNull();

    clock.nextStep();
    const bySubject = await verifyTotp(gw, app.key, { subject: "subj-token", code: phoneCode(e.secret, clock.now) });
    expect(bySubject.data.verifyTotp.status).toBe("APPROVED");
    const jwks = createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(bySubject.data.verifyTotp.token, jwks, { issuer: gw.env.PUBLIC_URL, audience: app.id });
    expect(payload).toMatchObject({ sub: "subj-token", factor_id: e.factor.id, amr: ["otp", "totp"], aud: app.id });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(JSON.stringify(payload)).not.toContain(e.secret);
  });

  it("a replayed code is a wrong code; drift of one step either way passes, two steps don't, and an older step never passes after a newer one", async () => {
    const app = await gw.createApp({ name: "Drift" });
    const e = await enroll(gw, app.key, { subject: "subj-drift" });
    const id = e.factor.id;
    const code = phoneCode(e.secret, clock.now);
    expect(status(await verifyTotp(gw, app.key, { factorId: id, code }))).toBe("APPROVED");
    const replay = await verifyTotp(gw, app.key, { factorId: id, code });
    expect(replay.data.verifyTotp).toEqual({ status: "PENDING", attemptsRemaining: 4, token: null });

    clock.nextStep();
    clock.nextStep();
    // The phone runs 30 s slow: its code is the previous step's (newer than the one accepted above).
    expect(status(await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now - 30_000) }))).toBe("APPROVED");
    clock.nextStep();
    clock.nextStep();
    // Two steps off either way: wrong.
    expect(status(await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now - 60_000) }))).toBe("PENDING");
    expect(status(await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now + 60_000) }))).toBe("PENDING");
    // 30 s fast: the next step's code passes, and then the current step's (older) can't.
    expect(status(await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now + 30_000) }))).toBe("APPROVED");
    expect(status(await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now) }))).toBe("PENDING");
    expect((await attemptRows(id)).map((a) => a.outcome)).toEqual(["APPROVED", "REPLAYED", "APPROVED", "WRONG_CODE", "WRONG_CODE", "APPROVED", "REPLAYED"]);
  });

  it("budget: 5 wrong codes per factor and client IP, then RATE_LIMITED with retryAfter even for the right code; another IP has its own", async () => {
    const app = await gw.createApp({ name: "Budget" });
    const e = await enroll(gw, app.key, { subject: "subj-budget" });
    const id = e.factor.id;
    const wrong = wrongCode(e.secret, clock.now);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await verifyTotp(gw, app.key, { factorId: id, code: wrong, clientIp: "203.0.113.5" })).data.verifyTotp);
    expect(answers.map((a) => [a.status, a.attemptsRemaining])).toEqual([["PENDING", 4], ["PENDING", 3], ["PENDING", 2], ["PENDING", 1], ["MAX_ATTEMPTS_REACHED", 0]]);
    const limited = await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now), clientIp: "203.0.113.5" });
    expect(refusal(limited).code).toBe("RATE_LIMITED");
    expect(refusal(limited).retryAfter).toBeGreaterThan(800);
    expect(refusal(limited).retryAfter).toBeLessThanOrEqual(900);
    expect(JSON.stringify(limited)).not.toContain(e.secret);
    const [block] = await gw.app.db.ds.query(`SELECT rule, hits, "limit", key_masked FROM rate_limit_blocks WHERE app_id = $1`, [app.id]);
    expect(block).toMatchObject({ rule: "totp_failures_per_factor", limit: 5, key_masked: `factor ${id} from 203.0.113.*` });

    // The user, elsewhere, is not locked out by a guesser on another network; and the factor is still unverified until then.
    const elsewhere = await verifyTotp(gw, app.key, { factorId: id, code: phoneCode(e.secret, clock.now), clientIp: "198.51.100.7" });
    expect(elsewhere.data.verifyTotp.status).toBe("APPROVED");
    expect((await attemptRows(id)).map((a) => a.outcome)).toEqual([...Array(5).fill("WRONG_CODE"), "RATE_LIMITED", "APPROVED"]);
  });

  it("an app sets its own per-factor budget (limits.totpFailuresPerFactor); it can't be switched off; its window resets it", async () => {
    await expect(gw.createApp({ name: "Off", settings: { limits: { totpFailuresPerFactor: null } } as any })).rejects.toThrow(/totpFailuresPerFactor/);
    // A 4 s window: two wrong codes and the refused right one fit in it even on a loaded machine (2 s did not always).
    const app = await gw.createApp({ name: "Own budget", settings: { limits: { totpFailuresPerFactor: { max: 2, windowSeconds: 4 } } } });
    const e = await enroll(gw, app.key, { subject: "subj-own-budget" });
    const wrong = wrongCode(e.secret, clock.now);
    const answers = [];
    for (let i = 0; i < 2; i++) answers.push((await verifyTotp(gw, app.key, { factorId: e.factor.id, code: wrong })).data.verifyTotp);
    expect(answers.map((a) => [a.status, a.attemptsRemaining])).toEqual([["PENDING", 1], ["MAX_ATTEMPTS_REACHED", 0]]);
    const limited = await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) });
    expect(refusal(limited)).toMatchObject({ code: "RATE_LIMITED" });
    expect(refusal(limited).retryAfter).toBeLessThanOrEqual(4);
    // The wait the refusal names (whole seconds, rounded up), not a guess: after it the window is over.
    // (Polling instead would charge each refused try against the factor.)
    await new Promise((r) => setTimeout(r, refusal(limited).retryAfter! * 1000 + 100));
    expect((await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) })).data.verifyTotp).toMatchObject({ status: "APPROVED", attemptsRemaining: 2 });
  });

  it("the NIST daily cap (100 wrong codes per factor) holds across client IPs", async () => {
    const app = await gw.createApp({ name: "Daily cap" });
    const e = await enroll(gw, app.key, { subject: "subj-daily" });
    const wrong = wrongCode(e.secret, clock.now);
    for (let ip = 1; ip <= 20; ip++) {
      for (let i = 0; i < 5; i++) {
        const r = await verifyTotp(gw, app.key, { factorId: e.factor.id, code: wrong, clientIp: `192.0.2.${ip}` });
        expect(status(r)).toBe(i < 4 ? "PENDING" : "MAX_ATTEMPTS_REACHED");
      }
    }
    const fresh = await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now), clientIp: "192.0.2.99" });
    expect(refusal(fresh).code).toBe("RATE_LIMITED");
    expect(refusal(fresh).retryAfter).toBeGreaterThan(86_000);
    expect(await count(gw, `totp_attempts WHERE factor_id = $1 AND outcome = 'WRONG_CODE'`, [e.factor.id])).toBe(100);
  });

  it("the client IP's failure budget is verifyOtp's: probes at unknown factors and wrong codes spend it, and then even a right code is refused", async () => {
    const app = await gw.createApp({ name: "Per IP", settings: { limits: { verifyFailuresPerIp: { max: 3, windowSeconds: 60 } } } });
    const e = await enroll(gw, app.key, { subject: "subj-ip" });
    const ip = "100.64.0.9";
    for (const factorId of ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]) {
      expect(refusal(await verifyTotp(gw, app.key, { factorId, code: "123456", clientIp: ip })).code).toBe("NOT_FOUND");
    }
    expect(status(await verifyTotp(gw, app.key, { factorId: e.factor.id, code: wrongCode(e.secret, clock.now), clientIp: ip }))).toBe("PENDING");
    const refused = await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now), clientIp: ip });
    expect(refusal(refused).code).toBe("RATE_LIMITED");
    // Unknown ids answer the same refusal once the budget is spent: no probing past it.
    expect(refusal(await verifyTotp(gw, app.key, { factorId: "00000000-0000-4000-8000-000000000003", code: "123456", clientIp: ip })).code).toBe("RATE_LIMITED");
    expect(status(await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now), clientIp: "100.64.0.10" }))).toBe("APPROVED");
  });

  it("concurrency: 20 right codes for one step at once approve exactly once; 30 wrong ones at once spend exactly the budget", async () => {
    const app = await gw.createApp({ name: "Concurrency" });
    const e = await enroll(gw, app.key, { subject: "subj-race" });
    const code = phoneCode(e.secret, clock.now);
    // Twenty addresses, so every try reaches the code check and only the guarded UPDATE decides.
    const right = await Promise.all(Array.from({ length: 20 }, (_, i) => verifyTotp(gw, app.key, { factorId: e.factor.id, code, clientIp: `10.1.0.${i + 1}` })));
    expect(right.filter((r) => status(r) === "APPROVED")).toHaveLength(1);
    expect(right.filter((r) => status(r) === "PENDING")).toHaveLength(19);
    expect(right.filter((r) => r.data?.verifyTotp?.token)).toHaveLength(1);
    expect(await count(gw, `totp_attempts WHERE factor_id = $1 AND outcome = 'APPROVED'`, [e.factor.id])).toBe(1);

    const other = await enroll(gw, app.key, { subject: "subj-race-2" });
    const wrong = wrongCode(other.secret, clock.now);
    const guesses = await Promise.all(Array.from({ length: 30 }, () => verifyTotp(gw, app.key, { factorId: other.factor.id, code: wrong, clientIp: "10.2.0.1" })));
    const answered = guesses.filter((r) => r.data?.verifyTotp);
    expect(answered).toHaveLength(5);
    expect(answered.map((r) => r.data.verifyTotp.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(guesses.filter((r) => refusal(r).code === "RATE_LIMITED")).toHaveLength(25);
    expect(await count(gw, `totp_attempts WHERE factor_id = $1 AND outcome = 'WRONG_CODE'`, [other.factor.id])).toBe(5);
  });

  it("revocation: the factor stops verifying (by id or subject), its secret is erased, and revoking again changes nothing", async () => {
    const app = await gw.createApp({ name: "Revoke" });
    const e = await enroll(gw, app.key, { subject: "subj-revoke" });
    clock.nextStep();
    expect(status(await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) }))).toBe("APPROVED");
    const revoked = await gql(gw.url, app.key, REVOKE_TOTP, { id: e.factor.id });
    expect(revoked.data.revokeTotpFactor).toMatchObject({ id: e.factor.id, status: "REVOKED" });
    clock.nextStep();
    const code = phoneCode(e.secret, clock.now);
    expect(refusal(await verifyTotp(gw, app.key, { factorId: e.factor.id, code })).code).toBe("NOT_FOUND");
    expect(refusal(await verifyTotp(gw, app.key, { subject: "subj-revoke", code })).code).toBe("NOT_FOUND");
    const [row] = await gw.app.db.ds.query(`SELECT secret_cipher, revoked_at FROM totp_factors WHERE id = $1`, [e.factor.id]);
    expect(row.secret_cipher).toBeNull();
    const again = await gql(gw.url, app.key, REVOKE_TOTP, { id: e.factor.id });
    expect(again.data.revokeTotpFactor.status).toBe("REVOKED");
    const [after] = await gw.app.db.ds.query(`SELECT revoked_at FROM totp_factors WHERE id = $1`, [e.factor.id]);
    expect(after.revoked_at).toEqual(row.revoked_at);
    expect((await gql(gw.url, app.key, TOTP_FACTORS, { subject: "subj-revoke" })).data.totpFactors.map((f: any) => f.status)).toEqual(["REVOKED"]);
    // A lost phone: revoke, enrol again, and the new authenticator works.
    const fresh = await enroll(gw, app.key, { subject: "subj-revoke" });
    expect(status(await verifyTotp(gw, app.key, { factorId: fresh.factor.id, code: phoneCode(fresh.secret, clock.now) }))).toBe("APPROVED");
    expect(refusal(await gql(gw.url, app.key, REVOKE_TOTP, { id: "not-a-uuid" })).code).toBe("NOT_FOUND");
  });

  it("isolation: another app's factor is NOT_FOUND for every operation, and subjects are per app", async () => {
    const a = await gw.createApp({ name: "App A" });
    const b = await gw.createApp({ name: "App B" });
    const e = await enroll(gw, a.key, { subject: "shared-subject" });
    clock.nextStep();
    const code = phoneCode(e.secret, clock.now);
    expect(refusal(await verifyTotp(gw, b.key, { factorId: e.factor.id, code })).code).toBe("NOT_FOUND");
    expect(refusal(await gql(gw.url, b.key, REVOKE_TOTP, { id: e.factor.id })).code).toBe("NOT_FOUND");
    expect((await gql(gw.url, b.key, TOTP_FACTORS, { subject: "shared-subject" })).data.totpFactors).toEqual([]);
    // B's own factor for the same subject is B's alone; A's code doesn't verify B's subject.
    const mine = await enroll(gw, b.key, { subject: "shared-subject" });
    expect(status(await verifyTotp(gw, b.key, { factorId: mine.factor.id, code: phoneCode(mine.secret, clock.now) }))).toBe("APPROVED");
    clock.nextStep();
    expect(status(await verifyTotp(gw, b.key, { subject: "shared-subject", code: phoneCode(e.secret, clock.now) }))).toBe("PENDING");
    // Nothing of B's tries touched A's factor.
    expect(await count(gw, `totp_attempts WHERE factor_id = $1`, [e.factor.id])).toBe(0);
    expect(status(await verifyTotp(gw, a.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) }))).toBe("APPROVED");
  });

  it("an unverified factor older than 24 hours is gone (not listed, not verifiable, not revocable) and the sweep deletes it; a verified one stays", async () => {
    const app = await gw.createApp({ name: "Expiry" });
    const stale = await enroll(gw, app.key, { subject: "subj-expiry" });
    const young = await enroll(gw, app.key, { subject: "subj-expiry" });
    const kept = await enroll(gw, app.key, { subject: "subj-expiry" });
    expect(status(await verifyTotp(gw, app.key, { factorId: kept.factor.id, code: phoneCode(kept.secret, clock.now) }))).toBe("APPROVED");
    await gw.app.db.ds.query(`UPDATE totp_factors SET created_at = now() - interval '24 hours 1 minute' WHERE id = ANY($1)`, [[stale.factor.id, kept.factor.id]]);
    await gw.app.db.ds.query(`UPDATE totp_factors SET created_at = now() - interval '23 hours 59 minutes' WHERE id = $1`, [young.factor.id]);

    const listed = (await gql(gw.url, app.key, TOTP_FACTORS, { subject: "subj-expiry" })).data.totpFactors.map((f: any) => f.id);
    expect(listed.sort()).toEqual([young.factor.id, kept.factor.id].sort());
    expect(refusal(await verifyTotp(gw, app.key, { factorId: stale.factor.id, code: phoneCode(stale.secret, clock.now) })).code).toBe("NOT_FOUND");
    expect(refusal(await gql(gw.url, app.key, REVOKE_TOTP, { id: stale.factor.id })).code).toBe("NOT_FOUND");
    expect(status(await verifyTotp(gw, app.key, { factorId: young.factor.id, code: phoneCode(young.secret, clock.now) }))).toBe("APPROVED");

    const removed = await gw.app.services.totpStore.sweepExpired();
    expect(removed).toBe(1);
    expect(await gw.app.services.totpStore.sweepExpired()).toBe(0);
    expect(await count(gw, `totp_factors WHERE id = $1`, [stale.factor.id])).toBe(0);
    expect(await count(gw, `totp_factors WHERE id = ANY($1)`, [[young.factor.id, kept.factor.id]])).toBe(2);
  });

  it("code checks older than the retention period are deleted by the retention job; the factor and newer checks stay", async () => {
    const app = await gw.createApp({ name: "Retention" });
    const e = await enroll(gw, app.key, { subject: "subj-retention" });
    for (let i = 0; i < 2; i++) await verifyTotp(gw, app.key, { factorId: e.factor.id, code: wrongCode(e.secret, clock.now), clientIp: "100.64.1.1" });
    const [old] = await gw.app.db.ds.query(`SELECT id FROM totp_attempts WHERE factor_id = $1 ORDER BY id LIMIT 1`, [e.factor.id]);
    await gw.app.db.ds.query(`UPDATE totp_attempts SET created_at = now() - make_interval(days => $2) WHERE id = $1`, [old.id, gw.app.config.retention.days + 1]);
    const counts = await new RetentionJob(gw.app.db.ds, gw.app.config.retention, gw.app.log).runOnce();
    expect(counts.totp_attempts).toBeGreaterThanOrEqual(1);
    expect(await count(gw, `totp_attempts WHERE factor_id = $1`, [e.factor.id])).toBe(1);
    expect(await count(gw, `totp_attempts WHERE id = $1`, [old.id])).toBe(0);
    expect(await count(gw, `totp_factors WHERE id = $1`, [e.factor.id])).toBe(1);
  });

  it("bad input is BAD_USER_INPUT with its field and changes nothing", async () => {
    const app = await gw.createApp({ name: "Input" });
    const before = await count(gw, `totp_factors WHERE app_id = $1`, [app.id]);
    for (const subject of ["", "x".repeat(129), "tab\there", "nul\u0000", "zero\u200bwidth"]) {
      expect((await gql(gw.url, app.key, ENROLL_TOTP, { input: { subject } })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "subject" });
    }
    expect((await gql(gw.url, app.key, ENROLL_TOTP, { input: { subject: "a", label: "x:y" } })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "label" });
    expect((await gql(gw.url, app.key, ENROLL_TOTP, { input: { subject: "a", issuer: "x".repeat(65) } })).errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "issuer" });
    expect(await count(gw, `totp_factors WHERE app_id = $1`, [app.id])).toBe(before);
    // 128 characters, counted as characters (not bytes), is fine.
    expect((await enroll(gw, app.key, { subject: "é".repeat(128) })).factor.subject).toBe("é".repeat(128));

    const e = await enroll(gw, app.key, { subject: "subj-input" });
    const field = async (input: Record<string, unknown>) => (await verifyTotp(gw, app.key, input)).errors?.[0].extensions;
    expect(await field({ factorId: e.factor.id, code: "12345" })).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect(await field({ factorId: e.factor.id, code: "12345a" })).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect(await field({ code: "123456" })).toMatchObject({ code: "BAD_USER_INPUT", field: "factorId" });
    expect(await field({ factorId: e.factor.id, code: "123456", clientIp: "300.1.1.1" })).toMatchObject({ code: "BAD_USER_INPUT", field: "clientIp" });
    expect(await field({ subject: "x".repeat(129), code: "123456" })).toMatchObject({ code: "BAD_USER_INPUT", field: "subject" });
    expect(await count(gw, `totp_attempts WHERE factor_id = $1`, [e.factor.id])).toBe(0);
    expect(status(await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) }))).toBe("APPROVED");
  });

  it("verifyTotp counts in the one-OTP-mutation-per-operation rule (aliases, fragments, beside verifyOtp)", async () => {
    const app = await gw.createApp({ name: "One per op" });
    const e = await enroll(gw, app.key, { subject: "subj-rule" });
    const input = `{ factorId: "${e.factor.id}", code: "000000" }`;
    const docs = [
      `mutation { a: verifyTotp(input: ${input}) { status } b: verifyTotp(input: ${input}) { status } }`,
      `mutation { verifyTotp(input: ${input}) { status } verifyOtp(input: { verificationId: "${e.factor.id}", code: "000000" }) { status } }`,
      `mutation { ...A ...B } fragment A on Mutation { a: verifyTotp(input: ${input}) { status } } fragment B on Mutation { ... on Mutation { b: verifyTotp(input: ${input}) { status } } }`,
    ];
    for (const doc of docs) {
      const r = await gql(gw.url, app.key, doc);
      expect(r.errors?.[0].message).toMatch(/At most one of .*verifyTotp/);
      expect(r.data).toBeUndefined();
    }
    expect(await count(gw, `totp_attempts WHERE factor_id = $1`, [e.factor.id])).toBe(0);
  });

  it("TOTP outcomes are counted beside the OTP ones at /metrics", async () => {
    const outcomes = async () => {
      const body = await (await fetch(`${gw.url}/metrics`)).text();
      expect(body).toContain("otp_verify_outcomes_total");
      const value = (o: string) => Number(new RegExp(`otp_totp_verify_outcomes_total\\{outcome="${o}"\\} (\\d+)`).exec(body)?.[1] ?? 0);
      return { APPROVED: value("APPROVED"), PENDING: value("PENDING"), MAX_ATTEMPTS_REACHED: value("MAX_ATTEMPTS_REACHED"), RATE_LIMITED: value("RATE_LIMITED") };
    };
    const app = await gw.createApp({ name: "Metrics" });
    const e = await enroll(gw, app.key, { subject: "subj-metrics" });
    const before = await outcomes();
    expect(status(await verifyTotp(gw, app.key, { factorId: e.factor.id, code: phoneCode(e.secret, clock.now) }))).toBe("APPROVED");
    const wrong = wrongCode(e.secret, clock.now);
    for (let i = 0; i < 6; i++) await verifyTotp(gw, app.key, { factorId: e.factor.id, code: wrong, clientIp: "172.16.0.9" });
    const after = await outcomes();
    expect({
      APPROVED: after.APPROVED - before.APPROVED, PENDING: after.PENDING - before.PENDING,
      MAX_ATTEMPTS_REACHED: after.MAX_ATTEMPTS_REACHED - before.MAX_ATTEMPTS_REACHED, RATE_LIMITED: after.RATE_LIMITED - before.RATE_LIMITED,
    }).toEqual({ APPROVED: 1, PENDING: 4, MAX_ATTEMPTS_REACHED: 1, RATE_LIMITED: 1 });
  });
});

describe("TOTP secret sealing", () => {
  it("the stored ciphertext opens only for its own factor id (associated data) and under the TOTP key", async () => {
    const { open } = await import("../../server/src/crypto/aead");
    const { deriveKeys } = await import("../../server/src/crypto/secret-keys");
    const gw = await startGateway({ redis: false });
    try {
      const app = await gw.createApp({ name: "Sealing" });
      const a = await enroll(gw, app.key, { subject: "seal-a" });
      const [row] = await gw.app.db.ds.query(`SELECT secret_cipher FROM totp_factors WHERE id = $1`, [a.factor.id]);
      const keys = deriveKeys(gw.env.OTP_SECRET);
      expect(open(keys.totpSecret, row.secret_cipher, a.factor.id).toString()).toBe(a.secret);
      expect(() => open(keys.totpSecret, row.secret_cipher, "00000000-0000-4000-8000-000000000000")).toThrow();
      expect(() => open(keys.codeCipher, row.secret_cipher, a.factor.id)).toThrow();
      // Copied onto another factor's row, it doesn't verify that factor (it fails to open there: an internal error, not a pass).
      const b = await enroll(gw, app.key, { subject: "seal-b" });
      await gw.app.db.ds.query(`UPDATE totp_factors SET secret_cipher = $1 WHERE id = $2`, [row.secret_cipher, b.factor.id]);
      const r = await verifyTotp(gw, app.key, { factorId: b.factor.id, code: phoneCode(a.secret, Date.now()) });
      expect(r.data?.verifyTotp?.status).toBeUndefined();
      expect(JSON.stringify(r)).not.toContain(a.secret);
    } finally {
      await gw.stop();
    }
  });
});
