import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveKeys } from "../../server/src/crypto/secret-keys";
import { decryptCode, hashCode } from "../../server/src/verification/code";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { codeFromOutbox, eventually, extractCode } from "../helpers/codes";
import { requestOtp, resendOtp, verifyOtp } from "../helpers/abuse";
import { CHI2, leadingZeros, positionChiSquares, repeats, successiveCorrelation } from "../helpers/code-statistics";
import { randomIp, randomUsNumber } from "../bench/numbers";

/**
 * "Codes are random" as a phone sees them: the codes in the messages the gateway sends, not
 * just generateCode's output (test/unit/code-randomness.test.ts) — a path that reused, derived
 * or cached a code would pass the unit test and fail here. And resend: the new code is the
 * only one that verifies, proven from the stored digest rather than by hoping the two codes
 * differ.
 */
describe("codes through the API", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  /** Every outbox message's body to `to`, oldest first. */
  const messagesTo = (to: string): string[] =>
    gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.outbox?.to === to).map((l) => l.outbox.body as string);

  it("300 requestOtp: digits spread over every position, leading zeros present, no repeats beyond chance, successive codes unrelated", async () => {
    const N = 300;
    // Random US numbers, never verified: the pumping guard's budgets would stop them (the app's fresh traffic at 100).
    const app = await gw.createApp({
      name: "Randomness",
      settings: { limits: { pumping: { prefix: { floor: 100_000 }, country: { floor: 100_000 }, unproven: { floor: 100_000 }, app: { floor: 100_000 } } } } as any,
    });
    const destinations = [...new Set(Array.from({ length: N }, () => randomUsNumber()))];
    expect(destinations.length).toBeGreaterThan(N - 5);
    for (const destination of destinations) {
      const r = await requestOtp(gw, app.key, destination, { clientIp: randomIp() });
      expect(r.errors, destination).toBeUndefined();
    }
    const codes = await eventually(() => {
      const bodies = destinations.map((d) => messagesTo(d).at(-1));
      return bodies.every((b) => b) ? bodies.map((b) => extractCode(b!)) : undefined;
    }, "a message to every destination", 60_000);

    for (const c of codes) expect(c).toMatch(/^[0-9]{6}$/);
    // Smaller counts than the unit test, so looser bounds (each about 1e-4 or rarer for a fair generator):
    // still orders of magnitude from a counter (one first digit, correlation 1) or a constant.
    for (const [position, chi2] of positionChiSquares(codes).entries()) expect(chi2, `position ${position}`).toBeLessThan(CHI2[9]["1e-4"]);
    // Binomial(300, 0.1): mean 30; fewer than 10 or more than 55 has probability < 1e-5 each.
    expect(leadingZeros(codes)).toBeGreaterThanOrEqual(10);
    expect(leadingZeros(codes)).toBeLessThanOrEqual(55);
    // The birthday bound for 300 draws of 10^6: 0.045 repeats expected.
    expect(repeats(codes)).toBeLessThanOrEqual(3);
    // ±1/√300 ≈ 0.06 for independent codes.
    expect(Math.abs(successiveCorrelation(codes))).toBeLessThan(0.3);
  }, 120_000);

  it("resend: the stored digest is the new code's, the old one answers as a wrong code when it differs, and the codes are not all one", async () => {
    const keys = deriveKeys(gw.env.OTP_SECRET);
    const app = await gw.createApp({ name: "Resends", maxSends: 10, maxAttempts: 10, resendCooldownSeconds: 0 });
    const to = randomUsNumber();
    const ip = randomIp();
    const r = await requestOtp(gw, app.key, to, { clientIp: ip });
    expect(r.errors).toBeUndefined();
    const id: string = r.data.requestOtp.id;
    const codes = [await codeFromOutbox(gw.logs, to)];
    let before = await stored(gw, id);
    expect(before.code_hash).toEqual(hashCode(keys, id, { purpose: null, transaction: null }, codes[0]));
    let attemptsRemaining = 10;

    const RESENDS = 6;
    for (let i = 1; i <= RESENDS; i++) {
      const seen = messagesTo(to).length;
      const resent = await resendOtp(gw, app.key, id);
      expect(resent.errors, `resend ${i}`).toBeUndefined();
      const code = await codeFromOutbox(gw.logs, to, seen);
      expect(messagesTo(to)).toHaveLength(seen + 1);
      const after = await stored(gw, id);
      // Whatever its digits, the code was replaced: verify compares with this digest only, and it
      // is the HMAC of the code just sent; the worker's sealed copy is a new one of the same code.
      expect(after.code_hash, `resend ${i}`).toEqual(hashCode(keys, id, { purpose: null, transaction: null }, code));
      expect(decryptCode(keys, id, after.code_cipher)).toBe(code);
      expect(after.code_cipher.equals(before.code_cipher)).toBe(false);
      expect(after.send_count).toBe(before.send_count + 1);
      expect(after.deliveries).toBe(before.deliveries + 1);
      // Only when the digits differ can the old code be tried: it is a wrong code, charged as one.
      if (code !== codes.at(-1)) {
        const old = await verifyOtp(gw, app.key, { verificationId: id, code: codes.at(-1)!, clientIp: ip });
        attemptsRemaining--;
        expect(old.data.verifyOtp, `old code after resend ${i}`).toEqual({ status: "PENDING", attemptsRemaining, token: null });
      }
      codes.push(code);
      before = after;
    }
    // Seven independent 6-digit codes coincide with probability ~2e-5; two coincidences, ~1e-10.
    expect(new Set(codes).size).toBeGreaterThanOrEqual(codes.length - 1);
    expectNotAProgression(codes);
    const ok = await verifyOtp(gw, app.key, { verificationId: id, code: codes.at(-1)!, clientIp: ip });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  }, 60_000);
});

/**
 * Successive codes of one verification are not an arithmetic progression: a counter steps by a
 * constant (1, or the traffic between two sends), a constant by 0. For independent 6-digit codes,
 * k equal steps in a row have probability 10^(-6(k-1)).
 */
function expectNotAProgression(codes: string[]): void {
  const steps = codes.slice(1).map((c, i) => (Number(c) - Number(codes[i]) + 1_000_000) % 1_000_000);
  expect(new Set(steps).size, `steps between successive codes: ${steps.join(", ")}`).toBeGreaterThan(1);
}

/** What the database holds for a verification's code. */
async function stored(gw: TestGateway, id: string): Promise<{ code_hash: Buffer; code_cipher: Buffer; send_count: number; deliveries: number }> {
  const [row] = await gw.app.db.ds.query(
    `SELECT code_hash, code_cipher, send_count, (SELECT count(*)::int FROM deliveries WHERE verification_id = v.id) AS deliveries
       FROM verifications v WHERE id = $1`,
    [id],
  );
  return row;
}

/**
 * A resend before the first message left: no worker runs here (role api), so the first
 * delivery is still queued. The resend marks it FAILED/SUPERSEDED — it will never be sent — and
 * queues one for the new code, whose digest is the only one stored.
 */
describe("a resend of a message not yet sent", () => {
  let api: TestGateway;

  beforeAll(async () => {
    api = await startGateway({ role: "api" });
  });
  afterAll(() => api?.stop());

  it("supersedes the queued delivery each time; the last code verifies, an older one is wrong when it differs", async () => {
    const keys = deriveKeys(api.env.OTP_SECRET);
    const app = await api.createApp({ name: "Queued resend", resendCooldownSeconds: 0 });
    const to = randomUsNumber();
    const ip = randomIp();
    const id: string = (await requestOtp(api, app.key, to, { clientIp: ip })).data.requestOtp.id;
    // The code as the worker would send it: the sealed copy in the row.
    const codes = [decryptCode(keys, id, (await stored(api, id)).code_cipher)];

    for (let i = 1; i <= 3; i++) {
      const resent = await resendOtp(api, app.key, id);
      expect(resent.errors).toBeUndefined();
      const deliveries = await api.app.db.ds.query(`SELECT status, error_code FROM deliveries WHERE verification_id = $1 ORDER BY created_at`, [id]);
      // Every earlier message was still queued: each is closed unsent, only the newest waits.
      expect(deliveries).toEqual([...Array(i).fill({ status: "FAILED", error_code: "SUPERSEDED" }), { status: "QUEUED", error_code: null }]);
      const row = await stored(api, id);
      const code = decryptCode(keys, id, row.code_cipher);
      expect(row.code_hash).toEqual(hashCode(keys, id, { purpose: null, transaction: null }, code));
      codes.push(code);
    }
    expectNotAProgression(codes);

    const [first, last] = [codes[0], codes.at(-1)!];
    if (first !== last) {
      const old = await verifyOtp(api, app.key, { verificationId: id, code: first, clientIp: ip });
      expect(old.data.verifyOtp).toEqual({ status: "PENDING", attemptsRemaining: 4, token: null });
    }
    const ok = await verifyOtp(api, app.key, { verificationId: id, code: last, clientIp: ip });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
  });
});
