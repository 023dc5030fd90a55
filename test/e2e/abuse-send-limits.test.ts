import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { blocksOf, count, refusal, requestOtp, resendOtp, sleep, verifyOtp } from "../helpers/abuse";
import { codeFromOutbox, eventually } from "../helpers/codes";

/**
 * The send-side layers, each tripping with RATE_LIMITED + retryAfter, recorded as a block, and
 * letting requests through again when its window has passed. Windows are 8 s: wide enough that
 * a loaded 2-core machine makes each test's requests inside one window; the tests then wait only
 * for what the refusal's retryAfter says is left of it.
 */
describe("abuse protection: send limits", () => {
  let gw: TestGateway;
  let proxied: TestGateway;
  const WINDOW = 8;
  const win = { windowSeconds: WINDOW };
  /** Sleeps out the window a refusal names (retryAfter is whole seconds, rounded up). */
  const waitOut = (r: Parameters<typeof refusal>[0]) => sleep(refusal(r).retryAfter! * 1000 + 100);

  beforeAll(async () => {
    gw = await startGateway();
    // Behind one trusted proxy on loopback: TRUST_PROXY names the client for the dashboard and the webhooks, never for per-IP limits.
    proxied = await startGateway({ env: { TRUST_PROXY: "127.0.0.1" } });
  });
  afterAll(async () => {
    await gw?.stop();
    await proxied?.stop();
  });

  // Issue #19 (contract, "clientIp and per-IP limits"): per-IP limits key only on the clientIp the
  // backend states. The socket's address is the app's own backend, shared by all its users, so it
  // no longer counts; X-Forwarded-For never did without TRUST_PROXY and now never does at all.
  it("sends per client IP: the stated clientIp counts, the socket address and X-Forwarded-For never do, and the window resets", async () => {
    const app = await gw.createApp({ name: "Per IP", settings: { limits: { sendsPerIp: { max: 3, ...win } } } });
    const clientIp = "198.51.100.1";
    for (let i = 1; i <= 3; i++) {
      const r = await requestOtp(gw, app.key, `+1415555010${i}`, { clientIp }, { "x-forwarded-for": `198.51.100.${10 + i}` });
      expect(r.errors).toBeUndefined();
    }
    const before = await count(gw, "verifications WHERE app_id = $1", [app.id]);
    const r = await requestOtp(gw, app.key, "+14155550104", { clientIp }, { "x-forwarded-for": "198.51.100.99" });
    expect(refusal(r)).toMatchObject({ code: "RATE_LIMITED" });
    expect(refusal(r).retryAfter).toBeGreaterThanOrEqual(1);
    expect(refusal(r).retryAfter).toBeLessThanOrEqual(WINDOW);
    expect(await count(gw, "verifications WHERE app_id = $1", [app.id])).toBe(before);
    const [block] = await blocksOf(gw, app.id, "sends_per_ip");
    expect(block).toMatchObject({ key_masked: "198.51.100.*", hits: 4, limit: 3 });
    // Without clientIp (server to server) no per-IP limit applies, whatever the socket or the header says.
    for (let i = 5; i <= 8; i++) expect((await requestOtp(gw, app.key, `+1415555010${i}`, {}, { "x-forwarded-for": clientIp })).errors).toBeUndefined();

    await waitOut(r);
    expect((await requestOtp(gw, app.key, "+14155550109", { clientIp })).errors).toBeUndefined();
  });

  it("behind TRUST_PROXY, X-Forwarded-For still names no client for the per-IP limits: only clientIp does", async () => {
    const app = await proxied.createApp({ name: "Proxied", settings: { limits: { sendsPerIp: { max: 2, ...win } } } });
    const viaProxy = (spoofed: string, client: string) => ({ "x-forwarded-for": `${spoofed}, ${client}` });
    // The same proxied client, three times without clientIp: no per-IP budget (before: its own bucket of 2).
    for (let i = 1; i <= 3; i++) expect((await requestOtp(proxied, app.key, `+1415555011${i}`, {}, viaProxy(`10.0.0.${i}`, "203.0.113.7"))).errors).toBeUndefined();
    // With clientIp, the stated address counts, whatever the header's entries say.
    const stated = (n: number, clientIp: string) => requestOtp(proxied, app.key, `+1415555011${n}`, { clientIp }, viaProxy(`10.0.0.${n}`, "203.0.113.7"));
    expect((await stated(4, "192.0.2.7")).errors).toBeUndefined();
    expect((await stated(5, "192.0.2.7")).errors).toBeUndefined();
    expect(refusal(await stated(6, "192.0.2.7")).code).toBe("RATE_LIMITED");
    expect((await blocksOf(proxied, app.id, "sends_per_ip"))[0]).toMatchObject({ key_masked: "192.0.2.*" });
    // Another end user behind the same proxy and backend is not held back.
    expect((await stated(7, "198.51.100.20")).errors).toBeUndefined();
    // Only the stated address is stored on the verification.
    const ips = await proxied.app.db.ds.query(`SELECT client_ip FROM verifications WHERE app_id = $1 ORDER BY created_at`, [app.id]);
    expect(ips.map((r: { client_ip: string | null }) => r.client_ip)).toEqual([null, null, null, "192.0.2.7", "192.0.2.7", "198.51.100.20"]);
  });

  it("the clientIp input keys the per-IP limit; IPv6 counts by /64", async () => {
    const app = await gw.createApp({ name: "Client IP", settings: { limits: { sendsPerIp: { max: 2, ...win } } } });
    const send = (n: number, clientIp: string) => requestOtp(gw, app.key, `+1415555012${n}`, { clientIp });
    expect((await send(1, "192.0.2.10")).errors).toBeUndefined();
    expect((await send(2, "192.0.2.10")).errors).toBeUndefined();
    expect(refusal(await send(3, "192.0.2.10")).code).toBe("RATE_LIMITED");
    expect((await send(4, "192.0.2.11")).errors).toBeUndefined(); // same socket, another end user
    expect((await send(5, "2001:db8:1:2::1")).errors).toBeUndefined();
    expect((await send(6, "2001:db8:1:2:ffff::9")).errors).toBeUndefined();
    expect(refusal(await send(7, "2001:db8:1:2::abcd")).code).toBe("RATE_LIMITED");
    expect((await send(8, "2001:db8:1:3::1")).errors).toBeUndefined();
    const masked = (await blocksOf(gw, app.id, "sends_per_ip")).map((b) => b.key_masked);
    expect(masked).toEqual(["192.0.2.*", "2001:db8:1:2::/64"]);
  });

  it("sends per number prefix (the number without its last four digits)", async () => {
    const app = await gw.createApp({ name: "Per prefix", settings: { limits: { sendsPerPrefix: { max: 2, ...win } } } });
    expect((await requestOtp(gw, app.key, "+14155550131")).errors).toBeUndefined();
    expect((await requestOtp(gw, app.key, "+14155550132")).errors).toBeUndefined();
    const r = await requestOtp(gw, app.key, "+14155550133");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect(refusal(r).retryAfter).toBeLessThanOrEqual(WINDOW);
    expect((await blocksOf(gw, app.id, "sends_per_prefix"))[0]).toMatchObject({ key_masked: "+1415555xxxx", hits: 3, limit: 2 });
    expect((await requestOtp(gw, app.key, "+12125550131")).errors).toBeUndefined(); // another prefix
    await waitOut(r);
    expect((await requestOtp(gw, app.key, "+14155550134")).errors).toBeUndefined();
  });

  it("sends per country", async () => {
    const app = await gw.createApp({ name: "Per country", settings: { limits: { sendsPerCountry: { max: 2, ...win } } } });
    expect((await requestOtp(gw, app.key, "+14155550141")).errors).toBeUndefined();
    expect((await requestOtp(gw, app.key, "+12125550141")).errors).toBeUndefined();
    const r = await requestOtp(gw, app.key, "+13105550141");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect((await requestOtp(gw, app.key, "+44 7400 123456")).errors).toBeUndefined(); // GB
    expect((await blocksOf(gw, app.id, "sends_per_country"))[0]).toMatchObject({ key_masked: "US", limit: 2 });
    await waitOut(r);
    expect((await requestOtp(gw, app.key, "+13105550141")).errors).toBeUndefined();
  });

  it("the app's hourly budget, lifted by an operator", async () => {
    const app = await gw.createApp({ name: "Budget", hourlyBudget: 2 });
    expect((await requestOtp(gw, app.key, "+14155550151")).errors).toBeUndefined();
    expect((await requestOtp(gw, app.key, "+14155550152", { channel: "VOICE" })).errors).toBeUndefined();
    const r = await requestOtp(gw, app.key, "+14155550153");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect(refusal(r).retryAfter).toBeGreaterThan(3000);
    expect(refusal(r).retryAfter).toBeLessThanOrEqual(3600);
    const [block] = await blocksOf(gw, app.id, "app_hourly_budget");
    await gw.app.services.blockService.lift(block.id, "test", "budget raised by contract");
    expect((await requestOtp(gw, app.key, "+14155550153")).errors).toBeUndefined();
  });

  it("the resend cooldown grows (3 s, 6 s, 12 s …) and a lift lets the resend through at once", async () => {
    // 3 s, not 1 s: a loaded machine could let a 1 s cooldown lapse before the "too early" resend.
    const COOLDOWN = 3;
    const app = await gw.createApp({ name: "Cooldown", resendCooldownSeconds: COOLDOWN });
    const id = (await requestOtp(gw, app.key, "+14155550161")).data.requestOtp.id;
    const early = await resendOtp(gw, app.key, id);
    expect(refusal(early).code).toBe("RATE_LIMITED");
    expect(refusal(early).retryAfter).toBeGreaterThanOrEqual(1);
    expect(refusal(early).retryAfter).toBeLessThanOrEqual(COOLDOWN);
    // Over by the database's clock, the one resendOtp's statement compares with (no fixed sleep).
    await eventually(async () => {
      const [row] = await gw.app.db.ds.query(`SELECT resend_available_at <= now() AS ok FROM verifications WHERE id = $1`, [id]);
      return row.ok ? true : undefined;
    }, "the resend cooldown to end");
    const first = await resendOtp(gw, app.key, id);
    expect(first.errors).toBeUndefined();
    // Doubled after the first resend: more than the base left, at most twice it.
    const wait = new Date(first.data.resendOtp.resendAvailableAt).getTime() - Date.now();
    expect(wait).toBeGreaterThan(COOLDOWN * 1000);
    expect(wait).toBeLessThanOrEqual(2 * COOLDOWN * 1000);
    const again = refusal(await resendOtp(gw, app.key, id));
    expect(again.code).toBe("RATE_LIMITED");
    expect(again.retryAfter).toBeGreaterThan(COOLDOWN);
    expect(again.retryAfter).toBeLessThanOrEqual(2 * COOLDOWN);

    const blocks = await blocksOf(gw, app.id, "resend_cooldown");
    expect(blocks).toHaveLength(2);
    await gw.app.services.blockService.lift(blocks[1].id, "test", "customer on the phone with support");
    expect((await resendOtp(gw, app.key, id)).errors).toBeUndefined();
  });

  it("every refusal has the same shape, whichever rule and whichever destination", async () => {
    const app = await gw.createApp({ name: "Shapes", maxSends: 1, settings: { limits: { sendsPerIp: { max: 3, windowSeconds: 60 } } } });
    // The per-IP limit counts only a stated clientIp (issue #19), so every request states one.
    const from = { clientIp: "192.0.2.90" };
    await requestOtp(gw, app.key, "+14155550171", from);
    const perDestination = await requestOtp(gw, app.key, "+14155550171", from);
    await requestOtp(gw, app.key, "+14155550172", from);
    const perIp = await requestOtp(gw, app.key, "+14155550173", from); // the 4th from this IP
    const unseen = await requestOtp(gw, app.key, "+14155550174", from);
    const shapes = [perDestination, perIp, unseen].map((r) => ({ ...refusal(r), retryAfter: typeof refusal(r).retryAfter }));
    expect(shapes[0]).toEqual({ code: "RATE_LIMITED", retryAfter: "number", message: "Too many requests; try again later", keys: ["code", "retryAfter"] });
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
  });

  it("no enumeration: a destination the gateway has seen answers exactly like one it has never seen", async () => {
    const app = await gw.createApp({ name: "Enumeration", maxSends: 2 });
    const seen = "+14155550181";
    const id = (await requestOtp(gw, app.key, seen)).data.requestOtp.id;
    await verifyOtp(gw, app.key, { verificationId: id, code: await codeFromOutbox(gw.logs, seen) });

    const strip = (v: any) => ({ ...v, id: typeof v.id, expiresAt: typeof v.expiresAt, resendAvailableAt: typeof v.resendAvailableAt,
      to: v.to.slice(0, 3), deliveries: v.deliveries.map((d: any) => ({ channel: d.channel, provider: d.provider, status: d.status })) });
    const again = await requestOtp(gw, app.key, seen);
    const fresh = await requestOtp(gw, app.key, "+14155550182");
    expect(strip(again.data.requestOtp)).toEqual(strip(fresh.data.requestOtp));

    // verify by destination: the seen one has nothing pending after approval and cancel; the other never had anything
    await gw.app.services.verifications.cancel((await gw.app.services.apps.find(app.id))!, again.data.requestOtp.id);
    const seenVerify = await verifyOtp(gw, app.key, { destination: seen, code: "123456" });
    const unseenVerify = await verifyOtp(gw, app.key, { destination: "+14155550189", code: "123456" });
    expect(seenVerify.errors).toEqual(unseenVerify.errors);
    expect(refusal(seenVerify).code).toBe("NOT_FOUND");

    // and once over the limit, both refuse alike
    await requestOtp(gw, app.key, "+14155550182");
    const seenRefused = await requestOtp(gw, app.key, seen);
    const freshRefused = await requestOtp(gw, app.key, "+14155550182");
    expect({ ...refusal(seenRefused), retryAfter: 0 }).toEqual({ ...refusal(freshRefused), retryAfter: 0 });
  });
});
