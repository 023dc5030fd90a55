import { wholeView } from "../../server/src/admin/auth/privacy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { codeFromOutbox } from "../helpers/codes";
import { blocksOf, refusal, requestOtp, verifyOtp } from "../helpers/abuse";
import { buildTimeline } from "../../server/src/admin/queries/timeline";
import { loadVerification } from "../../server/src/admin/queries/verification-search";

/**
 * verifyOtp as an attacker sees it: guessing at someone's number must not lock its owner out,
 * and a number with a live code must not answer differently from one without (no oracle).
 * Budgets: per client IP, per (destination, client IP), per destination from every IP, and the
 * NIST daily cap per destination.
 */
describe("abuse protection: no lockout, no oracle through verifyOtp(destination)", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  const wrongFor = (code: string) => (code === "000000" ? "000001" : "000000");
  const ATTACKER = "198.51.100.7";
  const OWNER = "203.0.113.20";

  it("an attacker from one IP burning codes for a number does not stop its owner signing in from another", async () => {
    // Defaults: 10 failures per (destination, IP) an hour. maxAttempts 10 so one verification takes them all.
    const app = await gw.createApp({ name: "Lockout", maxAttempts: 10 });
    const to = "+14155550301";
    await requestOtp(gw, app.key, to, { clientIp: OWNER });
    const wrong = wrongFor(await codeFromOutbox(gw.logs, to));
    for (let i = 0; i < 10; i++) {
      const r = await verifyOtp(gw, app.key, { destination: to, code: wrong, clientIp: ATTACKER });
      expect(r.data?.verifyOtp.status).toBe(i < 9 ? "PENDING" : "MAX_ATTEMPTS_REACHED");
    }
    expect(refusal(await verifyOtp(gw, app.key, { destination: to, code: wrong, clientIp: ATTACKER })).code).toBe("RATE_LIMITED");

    // The owner asks for a new code and enters it, from their own address.
    await requestOtp(gw, app.key, to, { clientIp: OWNER });
    const code = await codeFromOutbox(gw.logs, to, 1);
    const mine = await verifyOtp(gw, app.key, { destination: to, code, clientIp: OWNER });
    expect(mine.data?.verifyOtp.status).toBe("APPROVED");

    // The owner's success does not lift the attacker's spent budget.
    expect(refusal(await verifyOtp(gw, app.key, { destination: to, code: wrong, clientIp: ATTACKER })).code).toBe("RATE_LIMITED");
    const [block] = await blocksOf(gw, app.id, "verify_failures_per_destination");
    expect(block).toMatchObject({ key_masked: "+1******0301 from 198.51.100.*", hits: 10, limit: 10 });

    // Support finds that block on the attacked verification's timeline (its key names the attacker's IP, not the request's).
    const [attacked] = await gw.app.db.ds.query(`SELECT id FROM verifications WHERE app_id = $1 ORDER BY created_at LIMIT 1`, [app.id]);
    const row = await loadVerification(gw.app.db.ds, attacked.id);
    const timeline = await buildTimeline(gw.app.db.ds, gw.app.services.blocks, row, wholeView);
    expect(timeline.filter((e) => e.kind === "RATE_LIMIT").map((e) => e.rule)).toContain("verify_failures_per_destination");
  });

  // Issue #19 (contract, "clientIp and per-IP limits"): a probe that finds no live code is charged
  // to the caller's IP alone, so nobody can spend a number's budgets before its owner has a code.
  // This test used to require probes and wrong codes to be refused at the same point, so that the
  // refusal told nothing; but the answers before it (PENDING against NOT_FOUND) already told a live
  // code apart, and charging probes to the number let anyone lock it out. What stays: probing is not
  // free (the IP pays), and wrong codes at a live code still spend the number's budget from that IP.
  it("probes for a number without a live code cost the caller's IP alone, never the number's budgets", async () => {
    const limits = { verifyFailuresPerIp: { max: 6, windowSeconds: 3600 }, verifyFailuresPerDestination: { max: 3, windowSeconds: 3600 } };
    const app = await gw.createApp({ name: "Oracle", maxAttempts: 10, settings: { limits } });
    const live = "+14155550311";
    const none = "+14155550312"; // never sent anything
    await requestOtp(gw, app.key, live);
    const wrong = wrongFor(await codeFromOutbox(gw.logs, live));

    const run = async (to: string, ip: string, n: number) => {
      const out = [];
      for (let i = 0; i < n; i++) out.push(await verifyOtp(gw, app.key, { destination: to, code: wrong, clientIp: ip }));
      return out;
    };
    const withCode = await run(live, "192.0.2.10", 5);
    const without = await run(none, "192.0.2.11", 7);
    // Wrong codes at the live one: three, then the (destination, IP) budget refuses.
    expect(withCode.map((r) => r.data?.verifyOtp.status ?? refusal(r).code)).toEqual(["PENDING", "PENDING", "PENDING", "RATE_LIMITED", "RATE_LIMITED"]);
    // Probes at nothing: only the IP's budget (6) stops them.
    expect(without.map((r) => refusal(r).code)).toEqual([...Array(6).fill("NOT_FOUND"), "RATE_LIMITED"]);
    const blocks = (await blocksOf(gw, app.id)).map((b) => [b.rule, b.key_masked, b.hits, b.limit]);
    expect(blocks.filter((b) => String(b[1]).startsWith("+1******0312"))).toEqual([]);
    expect(blocks.filter((b) => String(b[1]).startsWith("+1******0311"))).toEqual([["verify_failures_per_destination", "+1******0311 from 192.0.2.*", 3, 3]]);
    expect(blocks.filter((b) => b[0] === "verify_failures_per_ip")).toEqual([["verify_failures_per_ip", "192.0.2.*", 6, 6]]);
  });

  it("every probe costs the caller's IP budget: unknown destinations, unknown ids and closed verifications alike", async () => {
    const app = await gw.createApp({ name: "Probes", settings: { limits: { verifyFailuresPerIp: { max: 6, windowSeconds: 3600 }, verifyFailuresPerDestination: null } } });
    const ip = "192.0.2.30";
    const to = "+14155550321";
    await requestOtp(gw, app.key, to);
    const code = await codeFromOutbox(gw.logs, to);
    const approved = await verifyOtp(gw, app.key, { destination: to, code, clientIp: ip });
    expect(approved.data?.verifyOtp.status).toBe("APPROVED");
    const id = (await gw.app.db.ds.query(`SELECT id FROM verifications WHERE app_id = $1`, [app.id]))[0].id;

    const probes = [
      { destination: "+14155550322", code: "123456", clientIp: ip },
      { destination: "+14155550323", code: "123456", clientIp: ip },
      { verificationId: randomUUID(), code: "123456", clientIp: ip },
      { verificationId: randomUUID(), code: "123456", clientIp: ip },
      { verificationId: id, code, clientIp: ip }, // a replay of a consumed code
      { verificationId: id, code, clientIp: ip },
    ];
    for (const p of probes) expect(refusal(await verifyOtp(gw, app.key, p)).code).toBe("NOT_FOUND");
    for (const p of probes) expect(refusal(await verifyOtp(gw, app.key, p)).code).toBe("RATE_LIMITED");
    // Another caller is not affected.
    expect(refusal(await verifyOtp(gw, app.key, { ...probes[0], clientIp: "192.0.2.31" })).code).toBe("NOT_FOUND");
    expect((await blocksOf(gw, app.id, "verify_failures_per_ip"))[0]).toMatchObject({ key_masked: "192.0.2.*", hits: 6, limit: 6 });
    // Each code aimed at nothing left its row, like a wrong code does (and the refused ones none).
    const misses = await gw.app.db.ds.query(`SELECT client_ip FROM verify_attempts WHERE app_id = $1 AND outcome = 'NOT_FOUND' AND verification_id IS NULL`, [app.id]);
    expect(misses.map((m: { client_ip: string }) => m.client_ip).sort()).toEqual([ip, ip, ip, ip, "192.0.2.31"]);
  });

  it("the global caps still hold: many IPs together reach the destination's hourly cap, and the NIST daily cap", async () => {
    const app = await gw.createApp({
      name: "Global", maxAttempts: 20,
      settings: { limits: { verifyFailuresPerDestination: { max: 2, windowSeconds: 3600 }, verifyFailuresPerDestinationAllIps: { max: 5, windowSeconds: 3600 } } },
    });
    const to = "+14155550331";
    await requestOtp(gw, app.key, to);
    const code = await codeFromOutbox(gw.logs, to);
    const guess = (ip: string, c = wrongFor(code)) => verifyOtp(gw, app.key, { destination: to, code: c, clientIp: ip });
    for (const ip of ["192.0.2.41", "192.0.2.42"]) for (let i = 0; i < 2; i++) expect((await guess(ip)).data?.verifyOtp.status).toBe("PENDING");
    expect((await guess("192.0.2.43")).data?.verifyOtp.status).toBe("PENDING"); // the fifth failure, from a third IP
    const r = await guess("192.0.2.44", code); // even the right code, from a fresh IP
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect(refusal(r).retryAfter).toBeGreaterThan(3000);
    expect((await blocksOf(gw, app.id, "verify_failures_per_destination_all_ips"))[0]).toMatchObject({ key_masked: "+1******0331", limit: 5 });

    // With the hourly caps off, the daily cap (NIST SP 800-63B: at most 100) is what holds.
    const daily = await gw.createApp({
      name: "Daily", maxAttempts: 20,
      settings: { limits: { verifyFailuresPerDestination: null, verifyFailuresPerDestinationAllIps: null, verifyFailuresPerDestinationPerDay: 3 } },
    });
    const to2 = "+14155550332";
    await requestOtp(gw, daily.key, to2);
    const code2 = await codeFromOutbox(gw.logs, to2);
    for (let i = 0; i < 3; i++) await verifyOtp(gw, daily.key, { destination: to2, code: wrongFor(code2), clientIp: `192.0.2.5${i}` });
    const d = await verifyOtp(gw, daily.key, { destination: to2, code: code2, clientIp: "192.0.2.59" });
    expect(refusal(d).code).toBe("RATE_LIMITED");
    expect(refusal(d).retryAfter).toBeGreaterThan(86_000);
  });

  it("a code that expired unused answers by destination exactly like no code at all", async () => {
    const app = await gw.createApp({ name: "Expired", ttlSeconds: 1 });
    const to = "+14155550341";
    await requestOtp(gw, app.key, to);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await verifyOtp(gw, app.key, { destination: to, code: "123456", clientIp: "192.0.2.60" });
    const never = await verifyOtp(gw, app.key, { destination: "+14155550342", code: "123456", clientIp: "192.0.2.61" });
    expect(refusal(expired).code).toBe("NOT_FOUND");
    expect(expired.errors).toEqual(never.errors);
  });
});
