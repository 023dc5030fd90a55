import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { codeFromOutbox } from "../helpers/codes";
import { blocksOf, refusal, requestOtp, verifyOtp } from "../helpers/abuse";

/**
 * The contract's "`clientIp` and per-IP limits" (issue #19): per-IP limits key only on the
 * clientIp the calling backend states, none apply without it; a probe that finds no live code is
 * charged to the caller's IP alone; the owner's right code with its verificationId is judged only
 * by that verification's attempt count; new codes stop once a number's wrong-code budgets are
 * spent, which is what keeps brute force bounded.
 */
describe("protection: clientIp, probes and the owner's code", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  const wrongFor = (code: string) => (code === "000000" ? "000001" : "000000");
  const status = (r: Awaited<ReturnType<typeof verifyOtp>>) => r.data?.verifyOtp?.status ?? refusal(r).code;

  it("a backend that passes no clientIp: 60 users' 80 typos in an hour refuse none of the next users, at request or at verify", async () => {
    // Every default. Before: all these requests shared the socket's budgets (50 sends, 50 failed codes an hour).
    const app = await gw.createApp({ name: "Server to server", maxAttempts: 5 });
    const user = async (n: number, typos: number, byDestination: boolean) => {
      const to = `+1415555${1000 + n}`;
      const r = await requestOtp(gw, app.key, to, {}, { "x-forwarded-for": `198.51.100.${n % 250}` });
      expect(r.errors, `request of user ${n}`).toBeUndefined();
      const id = r.data.requestOtp.id as string;
      const code = await codeFromOutbox(gw.logs, to);
      const target = byDestination ? { destination: to } : { verificationId: id };
      for (let i = 0; i < typos; i++) expect(status(await verifyOtp(gw, app.key, { ...target, code: wrongFor(code) })), `typo of user ${n}`).toBe("PENDING");
      expect(status(await verifyOtp(gw, app.key, { ...target, code })), `code of user ${n}`).toBe("APPROVED");
    };
    // 20 users mistype twice, 40 once: 80 wrong codes from one backend, across 60 numbers of one prefix.
    for (let n = 0; n < 60; n++) await user(n, n < 20 ? 2 : 1, n % 2 === 0);
    // The next users, with a typo each, by id and by destination alike.
    for (let n = 60; n < 66; n++) await user(n, 1, n % 2 === 0);
    expect((await blocksOf(gw, app.id)).map((b) => b.rule)).toEqual([]);
    // Nothing stated, nothing stored: the socket address and X-Forwarded-For are not the end user's IP.
    const ips = await gw.app.db.ds.query(`SELECT DISTINCT client_ip FROM verifications WHERE app_id = $1`, [app.id]);
    expect(ips).toEqual([{ client_ip: null }]);
    // The operator is told, once (at most hourly per app), with what it means; the share is the admin API's (admin-client-ip-share).
    const hints = gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.appId === app.id && /without clientIp/.test(l.msg ?? ""));
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({ app: "Server to server", msg: expect.stringMatching(/per-IP limits do not apply/) });
  }, 240_000);

  it("with clientIp, per-IP limits hold per stated IP; two stated IPs behind one socket have their own budgets; requests without it have none", async () => {
    const app = await gw.createApp({
      name: "Stated IPs",
      settings: { limits: { sendsPerIp: { max: 3, windowSeconds: 3600 }, verifyFailuresPerIp: { max: 3, windowSeconds: 3600 } } },
    });
    const send = (n: number, clientIp?: string) => requestOtp(gw, app.key, `+1212555${String(2000 + n)}`, clientIp ? { clientIp } : {});
    for (let n = 0; n < 3; n++) expect((await send(n, "192.0.2.10")).errors).toBeUndefined();
    expect(refusal(await send(3, "192.0.2.10")).code).toBe("RATE_LIMITED");
    for (let n = 4; n < 7; n++) expect((await send(n, "192.0.2.77")).errors).toBeUndefined(); // another user, same socket
    // Without clientIp, no per-IP budget: more than the per-IP max all pass (before: the socket's budget, refused at the 4th).
    for (let n = 7; n < 12; n++) expect((await send(n)).errors).toBeUndefined();
    const [row] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM verifications WHERE app_id = $1 AND client_ip IS NULL`, [app.id]);
    expect(row.n).toBe(5);

    // Failed codes likewise: probes at a number with nothing live, by stated IP.
    const probe = (clientIp?: string) => verifyOtp(gw, app.key, { destination: "+12125559999", code: "123456", ...(clientIp && { clientIp }) });
    for (let i = 0; i < 3; i++) expect(status(await probe("192.0.2.10"))).toBe("NOT_FOUND");
    expect(status(await probe("192.0.2.10"))).toBe("RATE_LIMITED");
    expect(status(await probe("192.0.2.77"))).toBe("NOT_FOUND");
    for (let i = 0; i < 5; i++) expect(status(await probe())).toBe("NOT_FOUND");
    expect((await blocksOf(gw, app.id)).map((b) => [b.rule, b.key_masked])).toEqual([["sends_per_ip", "192.0.2.*"], ["verify_failures_per_ip", "192.0.2.*"]]);
  });

  it("no lockout before the code: 5 IPs × 10 probes at a number with nothing live, then its owner verifies; 100 more still lock nothing", async () => {
    const app = await gw.createApp({ name: "Probed" });
    const to = "+14155553001";
    const probes = async (from: number, ips: number) => {
      for (let ip = from; ip < from + ips; ip++) {
        for (let i = 0; i < 10; i++) expect(status(await verifyOtp(gw, app.key, { destination: to, code: "123456", clientIp: `198.51.100.${ip}` }))).toBe("NOT_FOUND");
      }
    };
    const ownerSignsIn = async (round: number, byDestination: boolean) => {
      const r = await requestOtp(gw, app.key, to, { clientIp: "203.0.113.20" });
      expect(r.errors, "the owner's request").toBeUndefined();
      const code = await codeFromOutbox(gw.logs, to, round);
      const target = byDestination ? { destination: to } : { verificationId: r.data.requestOtp.id };
      expect(status(await verifyOtp(gw, app.key, { ...target, code, clientIp: "203.0.113.20" }))).toBe("APPROVED");
    };
    // 50 probes: the destination's hourly budget from all IPs (50) would be spent if probes counted there.
    await probes(1, 5);
    await ownerSignsIn(0, false);
    // 100 more (150 in the day): past the NIST daily cap, had probes counted towards it.
    await probes(6, 10);
    await ownerSignsIn(1, false);
    await ownerSignsIn(2, true); // by destination too: its budgets were never spent
    expect((await blocksOf(gw, app.id)).map((b) => b.rule)).toEqual([]);
  }, 180_000);

  it("an owner with the code and its id is never refused by others' failures at the number's live codes", async () => {
    // Attackers make the app send codes to the number (purpose signup, so the owner's login code stays live)
    // and guess at them by destination until the number's hourly, then daily, budget is spent.
    const cases = [
      { name: "Hourly", rule: "verify_failures_per_destination_all_ips", limits: { verifyFailuresPerDestination: null, verifyFailuresPerDestinationAllIps: { max: 6, windowSeconds: 3600 } } },
      { name: "Daily", rule: "verify_failures_per_destination_day", limits: { verifyFailuresPerDestination: null, verifyFailuresPerDestinationAllIps: null, verifyFailuresPerDestinationPerDay: 6 } },
    ];
    for (const [k, c] of cases.entries()) {
      const app = await gw.createApp({ name: c.name, maxAttempts: 10, settings: { limits: c.limits } });
      const to = `+1415555400${k}`;
      const mine = (await requestOtp(gw, app.key, to, { purpose: "login", clientIp: "203.0.113.20" })).data.requestOtp.id;
      const code = await codeFromOutbox(gw.logs, to);
      expect((await requestOtp(gw, app.key, to, { purpose: "signup", clientIp: "198.51.100.9" })).errors).toBeUndefined();
      const theirs = await codeFromOutbox(gw.logs, to, 1);
      for (let i = 0; i < 6; i++) expect(status(await verifyOtp(gw, app.key, { destination: to, code: wrongFor(theirs), clientIp: `198.51.100.${10 + i}` }))).toBe("PENDING");
      expect(status(await verifyOtp(gw, app.key, { destination: to, code: wrongFor(theirs), clientIp: "198.51.100.30" }))).toBe("RATE_LIMITED");
      expect((await blocksOf(gw, app.id, c.rule)).length, c.name).toBe(1);
      // By destination the number's spent budget refuses (a guesser could name it); by id the owner's verification answers.
      expect(status(await verifyOtp(gw, app.key, { destination: to, code, clientIp: "203.0.113.20" }))).toBe("RATE_LIMITED");
      expect(status(await verifyOtp(gw, app.key, { verificationId: mine, code, clientIp: "203.0.113.20" })), c.name).toBe("APPROVED");
    }
  });

  it("brute force stays bounded: once the number's wrong-code budget is spent, it gets no new code to guess at", async () => {
    const cap = 5;
    const maxAttempts = 3;
    const app = await gw.createApp({
      name: "Bounded", maxAttempts, maxSends: 20, resendCooldownSeconds: 0,
      settings: { limits: { verifyFailuresPerDestination: null, verifyFailuresPerDestinationAllIps: null, verifyFailuresPerDestinationPerDay: cap } },
    });
    const to = "+14155555001";
    let wrong = 0;
    let refusedAt = -1;
    for (let round = 0; round < 10 && refusedAt < 0; round++) {
      const r = await requestOtp(gw, app.key, to, { clientIp: `198.51.100.${round + 1}` });
      if (r.errors) {
        expect(refusal(r).code).toBe("RATE_LIMITED");
        expect(refusal(r).retryAfter).toBeGreaterThan(86_000);
        refusedAt = round;
        break;
      }
      // Guess by id (judged by the verification's own attempt count only) until it closes.
      const code = await codeFromOutbox(gw.logs, to, round);
      for (let i = 0; i < maxAttempts; i++) {
        const s = status(await verifyOtp(gw, app.key, { verificationId: r.data.requestOtp.id, code: wrongFor(code), clientIp: `198.51.100.${round + 1}` }));
        expect(["PENDING", "MAX_ATTEMPTS_REACHED"]).toContain(s);
        wrong++;
      }
    }
    expect(refusedAt).toBe(2); // two codes tried (6 wrong guesses ≥ the cap of 5); the third is never sent
    expect(wrong).toBeLessThanOrEqual(cap + maxAttempts);
  });
});
