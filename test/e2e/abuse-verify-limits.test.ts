import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, gql } from "../helpers/graphql-client";
import { codeFromOutbox } from "../helpers/codes";
import { blocksOf, count, refusal, requestOtp, sleep, verifyOtp } from "../helpers/abuse";

/**
 * Failed-code budgets that outlive one verification: per destination (hourly, and the NIST
 * daily cap) and per client IP. Checked before the atomic verify statement, charged after it.
 *
 * Since issue #19 a verify by the id of a live verification checks none of them (only that
 * verification's attempt count: its owner's right code is never refused by others' failures);
 * they are checked on a verify by destination and, for the destination's all-IP and daily
 * budgets, on the next requestOtp/resendOtp to the number (no new code to guess at). Per-IP
 * budgets count only a stated clientIp.
 */
describe("abuse protection: failed verification budgets", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  // Wide enough that a loaded 2-core machine finishes each test's guesses inside one window;
  // the tests then wait for the window's end as the refusal states it (retryAfter).
  const WINDOW = 8;
  const wrongFor = (code: string) => (code === "000000" ? "000001" : "000000");
  const attemptsLeft = async (key: string, id: string) => (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification.attemptsRemaining as number;

  it("per destination across verifications: a new request doesn't refill the budget; the refusal spends nothing; the window resets it", async () => {
    const app = await gw.createApp({ name: "Per destination", maxAttempts: 3, settings: { limits: { verifyFailuresPerDestination: { max: 4, windowSeconds: WINDOW } } } });
    const to = "+14155550201";
    const clientIp = "192.0.2.20";
    const first = (await requestOtp(gw, app.key, to)).data.requestOtp.id;
    const wrong = wrongFor(await codeFromOutbox(gw.logs, to));
    for (let i = 0; i < 3; i++) await verifyOtp(gw, app.key, { verificationId: first, code: wrong, clientIp });
    expect(await attemptsLeft(app.key, first)).toBe(0);

    const second = (await requestOtp(gw, app.key, to)).data.requestOtp.id;
    const code = await codeFromOutbox(gw.logs, to, 1);
    const fourth = await verifyOtp(gw, app.key, { verificationId: second, code: wrongFor(code), clientIp });
    expect(fourth.data.verifyOtp).toMatchObject({ status: "PENDING", attemptsRemaining: 2 });
    // The budget (4) is spent. By id, a live verification answers by its own attempt count alone (issue #19).
    const fifth = await verifyOtp(gw, app.key, { verificationId: second, code: wrongFor(code), clientIp });
    expect(fifth.data.verifyOtp).toMatchObject({ status: "PENDING", attemptsRemaining: 1 });

    // By destination the spent budget refuses, even the right code, and nothing is spent.
    const attemptsBefore = await count(gw, "verify_attempts WHERE verification_id = $1", [second]);
    const r = await verifyOtp(gw, app.key, { destination: to, code, clientIp });
    expect(refusal(r).code).toBe("RATE_LIMITED");
    const retryAfter = refusal(r).retryAfter!;
    expect(retryAfter).toBeLessThanOrEqual(WINDOW);
    expect(await attemptsLeft(app.key, second)).toBe(1);
    expect(await count(gw, "verify_attempts WHERE verification_id = $1", [second])).toBe(attemptsBefore);
    expect((await blocksOf(gw, app.id, "verify_failures_per_destination"))[0]).toMatchObject({ key_masked: "+1******0201 from 192.0.2.*", limit: 4 });

    await sleep(retryAfter * 1000 + 100);
    expect((await verifyOtp(gw, app.key, { destination: to, code, clientIp })).data.verifyOtp.status).toBe("APPROVED");
  });

  it("the daily cap (NIST: at most 100) holds when the hourly budget is off, and can't be raised", async () => {
    await expect(gw.createApp({ name: "Too lax", settings: { limits: { verifyFailuresPerDestinationPerDay: 101 } } })).rejects.toThrow(/verifyFailuresPerDestinationPerDay/);
    await expect(gw.createApp({ name: "Off", settings: { limits: { verifyFailuresPerDestinationPerDay: null } } as any })).rejects.toThrow(/verifyFailuresPerDestinationPerDay/);
    const app = await gw.createApp({ name: "Daily", settings: { limits: { verifyFailuresPerDestination: null, verifyFailuresPerDestinationPerDay: 2 } } });
    const to = "+14155550211";
    const id = (await requestOtp(gw, app.key, to)).data.requestOtp.id;
    const wrong = wrongFor(await codeFromOutbox(gw.logs, to));
    await verifyOtp(gw, app.key, { verificationId: id, code: wrong });
    await verifyOtp(gw, app.key, { verificationId: id, code: wrong });
    // The cap is spent. The live verification still answers by its own attempt count (issue #19)…
    expect((await verifyOtp(gw, app.key, { verificationId: id, code: wrong })).data.verifyOtp).toMatchObject({ status: "PENDING", attemptsRemaining: 2 });
    // …but by destination the number is refused for the day, and it gets no new code to guess at.
    for (const r of [await verifyOtp(gw, app.key, { destination: to, code: wrong }), await requestOtp(gw, app.key, to)]) {
      expect(refusal(r).code).toBe("RATE_LIMITED");
      expect(refusal(r).retryAfter).toBeGreaterThan(86_000);
    }
    expect((await blocksOf(gw, app.id, "verify_failures_per_destination_day"))[0]).toMatchObject({ limit: 2 });
  });

  it("a right code clears the destination's budget (NIST counts consecutive failures)", async () => {
    const app = await gw.createApp({ name: "Reset", settings: { limits: { verifyFailuresPerDestination: { max: 3, windowSeconds: 60 } } } });
    const to = "+14155550221";
    for (let round = 0; round < 2; round++) {
      const id = (await requestOtp(gw, app.key, to)).data.requestOtp.id;
      const code = await codeFromOutbox(gw.logs, to, round);
      for (let i = 0; i < 2; i++) expect((await verifyOtp(gw, app.key, { verificationId: id, code: wrongFor(code) })).data.verifyOtp.status).toBe("PENDING");
      expect((await verifyOtp(gw, app.key, { verificationId: id, code })).data.verifyOtp.status).toBe("APPROVED");
    }
  });

  // Issue #19: the IP budget counts only a stated clientIp (none without it: the socket is the app's
  // own backend), and it is checked on a verify by destination, not on the id of a live verification.
  it("per client IP, across destinations: the stated clientIp only; without it no per-IP budget applies", async () => {
    const app = await gw.createApp({
      name: "Per IP", settings: { limits: { verifyFailuresPerIp: { max: 3, windowSeconds: WINDOW }, verifyFailuresPerDestination: null } },
    });
    const ids: string[] = [];
    const to = (i: number) => `+1415555023${i}`;
    for (let i = 0; i < 4; i++) ids.push((await requestOtp(gw, app.key, to(i))).data.requestOtp.id);
    const guess = (i: number, clientIp?: string) => verifyOtp(gw, app.key, { destination: to(i), code: "999999", ...(clientIp && { clientIp }) });
    for (let i = 0; i < 3; i++) expect((await guess(i, "192.0.2.50")).data.verifyOtp.status).toBe("PENDING");
    const r = await guess(3, "192.0.2.50");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect(refusal(r).retryAfter).toBeLessThanOrEqual(WINDOW);
    expect(await attemptsLeft(app.key, ids[3])).toBe(5);
    expect((await guess(3, "192.0.2.51")).data.verifyOtp.status).toBe("PENDING"); // another user behind the same backend
    expect((await blocksOf(gw, app.id, "verify_failures_per_ip"))[0]).toMatchObject({ key_masked: "192.0.2.*", limit: 3 });
    // The id of a live verification is judged by its attempt count alone, even from a spent IP.
    expect((await verifyOtp(gw, app.key, { verificationId: ids[2], code: "999999", clientIp: "192.0.2.50" })).data.verifyOtp.status).toBe("PENDING");

    // Without clientIp, no per-IP budget: more failures than its max, none refused (before: the socket's address was the key).
    for (let i = 0; i < 4; i++) expect((await guess(i)).data.verifyOtp.status).toBe("PENDING");
    expect((await guess(3)).data.verifyOtp.status).toBe("PENDING");
  });

  it("a malformed clientIp on verifyOtp is BAD_USER_INPUT and spends nothing", async () => {
    const app = await gw.createApp({ name: "Bad IP" });
    const id = (await requestOtp(gw, app.key, "+14155550241")).data.requestOtp.id;
    const r = await verifyOtp(gw, app.key, { verificationId: id, code: "123456", clientIp: "300.1.1.1" });
    expect(refusal(r).code).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe("clientIp");
    expect(await attemptsLeft(app.key, id)).toBe(5);
  });
});
