import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { codeFromOutbox } from "../helpers/codes";
import { blocksOf, count, refusal, requestOtp, sleep, verifyOtp } from "../helpers/abuse";

/**
 * The SMS-pumping guard: a prefix (or country) that sends much and converts little is blocked
 * for a while, the block recorded with its figures. Codes live 1 s here, so unanswered ones
 * settle (expire) quickly; fresh, unanswered requests are not evidence.
 */
describe("abuse protection: SMS-pumping guard", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  const prefixGuard = (extra: Record<string, unknown> = {}) => ({
    limits: { pumping: { prefix: { minSends: 4, minConversion: 0.5, blockSeconds: 120, ...extra }, country: null } },
  });

  it("blocks a prefix that sends much and converts little, records the figures, leaves other prefixes alone, and can be lifted", async () => {
    const app = await gw.createApp({ name: "Pumped", ttlSeconds: 1, settings: prefixGuard() });
    // Four sends into +1415555xxxx; one of them is answered (conversion 25 %).
    const first = (await requestOtp(gw, app.key, "+14155550401")).data.requestOtp.id;
    expect((await verifyOtp(gw, app.key, { verificationId: first, code: await codeFromOutbox(gw.logs, "+14155550401") })).data.verifyOtp.status).toBe("APPROVED");
    for (const n of ["+14155550402", "+14155550403", "+14155550404"]) expect((await requestOtp(gw, app.key, n)).errors).toBeUndefined();
    await sleep(1100); // the unanswered three expire: settled, unconverted

    const sent = await count(gw, "deliveries WHERE app_id = $1", [app.id]);
    const r = await requestOtp(gw, app.key, "+14155550405");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect(refusal(r).retryAfter).toBeGreaterThan(100);
    expect(refusal(r).retryAfter).toBeLessThanOrEqual(120);
    const [block] = await blocksOf(gw, app.id, "pumping_prefix");
    expect(block).toMatchObject({ key_masked: "+1415555xxxx", hits: 4, limit: 4 });
    expect(block.details).toMatchObject({ level: "prefix", sends: 4, approved: 1, conversion: 0.25, minConversion: 0.5, windowSeconds: 3600, blockSeconds: 120 });

    // The whole prefix stays blocked (one block row, not one per refusal); other prefixes send.
    expect(refusal(await requestOtp(gw, app.key, "+14155550499")).code).toBe("RATE_LIMITED");
    expect(await blocksOf(gw, app.id, "pumping_prefix")).toHaveLength(1);
    expect(await count(gw, "deliveries WHERE app_id = $1", [app.id])).toBe(sent);
    expect((await requestOtp(gw, app.key, "+12125550401")).errors).toBeUndefined();

    // Lifted: the prefix sends again, and the old figures don't block it again at once.
    await gw.app.services.blockService.lift(block.id, "support", "customer confirmed the numbers are real");
    expect((await requestOtp(gw, app.key, "+14155550406")).errors).toBeUndefined();
    expect((await requestOtp(gw, app.key, "+14155550407")).errors).toBeUndefined();
  });

  it("a prefix that converts is not blocked", async () => {
    const app = await gw.createApp({ name: "Healthy", settings: prefixGuard() });
    for (let i = 1; i <= 4; i++) {
      const to = `+1415555042${i}`;
      const id = (await requestOtp(gw, app.key, to)).data.requestOtp.id;
      expect((await verifyOtp(gw, app.key, { verificationId: id, code: await codeFromOutbox(gw.logs, to) })).data.verifyOtp.status).toBe("APPROVED");
    }
    expect((await requestOtp(gw, app.key, "+14155550425")).errors).toBeUndefined();
    expect(await blocksOf(gw, app.id, "pumping_prefix")).toEqual([]);
  });

  it("a burst of fresh requests is not evidence: only settled verifications count", async () => {
    const app = await gw.createApp({ name: "Burst", settings: prefixGuard() });
    for (let i = 1; i <= 6; i++) expect((await requestOtp(gw, app.key, `+1415555043${i}`)).errors).toBeUndefined();
    expect(await blocksOf(gw, app.id)).toEqual([]);
  });

  it("blocks a whole country that converts little, when configured to", async () => {
    const app = await gw.createApp({
      name: "Country", ttlSeconds: 1,
      settings: { limits: { pumping: { prefix: null, country: { minSends: 3, minConversion: 0.2, blockSeconds: 60, evaluateEverySeconds: 0 } } } },
    });
    for (const n of ["+33612345601", "+33612355604", "+33612365607"]) expect((await requestOtp(gw, app.key, n)).errors).toBeUndefined();
    await sleep(1100);
    expect(refusal(await requestOtp(gw, app.key, "+33612375608")).code).toBe("RATE_LIMITED");
    const [block] = await blocksOf(gw, app.id, "pumping_country");
    expect(block).toMatchObject({ key_masked: "FR" });
    expect(block.details).toMatchObject({ level: "country", sends: 3, approved: 0, conversion: 0 });
    expect((await requestOtp(gw, app.key, "+14155550441")).errors).toBeUndefined();
  });

  it("thresholds are checked when the app is saved", async () => {
    await expect(gw.createApp({ name: "Bad", settings: { limits: { pumping: { prefix: { minConversion: 2 } } } } })).rejects.toThrow(/pumping\.prefix\.minConversion/);
  });
});
