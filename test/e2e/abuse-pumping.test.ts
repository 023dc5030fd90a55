import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { codeFromOutbox } from "../helpers/codes";
import { blocksOf, count, refusal, requestOtp, sleep, verifyOtp } from "../helpers/abuse";

/**
 * The pumping guard's rules one by one, on small budgets: unverified sends per prefix (and per
 * country) against the verified history, approvals moving sends back, escalation, lifts, shadow
 * mode, the safe list, test destinations, the spend ceiling. The default-settings attack is
 * abuse-pumping-simulation.test.ts.
 *
 * Since issue #19 the guard judges conversion: unconverted + weight × open codes may reach
 * floor + ratio × verified. Every send here is seconds old, so no scope has evidence of what it
 * converts and an open code weighs half: a scope takes twice its floor of open codes before it
 * is refused. The counts below follow from that (floor 2 → 4 open codes).
 */
describe("abuse protection: SMS-pumping guard", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  const tight = (pumping: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
    limits: { pumping: { prefix: { floor: 2, share: 0.5 }, country: null, ...pumping }, ...extra },
  });
  const ok = async (key: string, to: string, extra: Record<string, unknown> = {}) => {
    const r = await requestOtp(gw, key, to, extra);
    expect(r.errors, `${to} should be accepted`).toBeUndefined();
    return r.data.requestOtp.id as string;
  };
  const approve = async (key: string, id: string, to: string) => {
    expect((await verifyOtp(gw, key, { verificationId: id, code: await codeFromOutbox(gw.logs, to) })).data.verifyOtp.status).toBe("APPROVED");
  };

  it("refuses a prefix's sends once its weighed open codes reach the floor; an approval moves a send back and vouches for the codes sent before it", async () => {
    const app = await gw.createApp({ name: "Floor", settings: tight() });
    const first = await ok(app.key, "+14155550101");
    for (const n of [2, 3, 4]) await ok(app.key, `+1415555010${n}`);
    // Four open codes at half weight: the floor (2). One user types the code: one send moves to verified, and the three
    // codes sent before that proof are vouched for (3 per recent proof): they count nothing while the proof is recent.
    // Codes sent after it count: four more fit the floor at half weight.
    await approve(app.key, first, "+14155550101");
    for (const n of [5, 6, 7, 8]) await ok(app.key, `+1415555010${n}`);
    const sent = await count(gw, "deliveries WHERE app_id = $1", [app.id]);
    const r = await requestOtp(gw, app.key, "+14155550109");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    // Soft: the prefix has a verified send (a real user is there), so no standing block — this send is refused, the next is judged afresh.
    expect(refusal(r).retryAfter).toBeLessThanOrEqual(60);
    expect(await count(gw, "deliveries WHERE app_id = $1", [app.id])).toBe(sent); // refused before anything was stored
    const [block] = await blocksOf(gw, app.id, "pumping_prefix");
    expect(block).toMatchObject({ key_masked: "+1415555xxxx", hits: 7, limit: 2 });
    // budget = max(floor 2, ratio 0.5 × 1 verified); the ratio is the level's share until the app has a record.
    expect(block.details).toMatchObject({
      level: "prefix", soft: true, unverified: 7, inFlight: 7, unconverted: 0, weight: 0.5, vouched: 3, sends: 8, verified: 1, budget: 2, floor: 2, ratio: 0.5,
      blockSeconds: 60,
    });
    expect(block.details).not.toHaveProperty("share");
    expect(block.details.riskFactors).toEqual(["unverified_burst", "number_range_abuse"]); // eight numbers of one range
    // Still over: the prefix keeps being refused (one block row an hour, not one per refusal).
    expect(refusal(await requestOtp(gw, app.key, "+14155550199")).code).toBe("RATE_LIMITED");
    expect(await blocksOf(gw, app.id, "pumping_prefix")).toHaveLength(1);
    // A prefix where nothing was verified gets a standing block, as pumping looks.
    for (const n of [1, 2, 3, 4]) await ok(app.key, `+1212555040${n}`);
    const hard = await requestOtp(gw, app.key, "+12125550405");
    expect(refusal(hard).retryAfter).toBeGreaterThan(3500);
    expect((await blocksOf(gw, app.id, "pumping_prefix")).find((b: any) => b.key_masked === "+1212555xxxx").details).toMatchObject({ soft: false, verified: 0, escalationStep: 1, blockSeconds: 3600 });
    // Other prefixes are their own budget.
    await ok(app.key, "+13125550101");
  });

  it("every paid channel spends the same budget: a prefix rotated through TELEGRAM, RCS, VOICE and WHATSAPP is refused on each channel next", async () => {
    const app = await gw.createApp({ name: "Channels", settings: tight() });
    const channels = ["TELEGRAM", "RCS", "VOICE", "WHATSAPP"];
    for (const [i, channel] of channels.entries()) await ok(app.key, `+1646555030${i}`, { channel });
    // Four open codes at half weight: the floor (2), whichever channels carried them.
    for (const [i, channel] of ["SMS", ...channels].entries()) {
      expect(refusal(await requestOtp(gw, app.key, `+1646555031${i}`, { channel })).code, channel).toBe("RATE_LIMITED");
    }
    expect((await blocksOf(gw, app.id, "pumping_prefix")).map((b: any) => b.key_masked)).toEqual(["+1646555xxxx"]);
    // E-mail is no paid channel: never counted, never refused by it.
    await ok(app.key, "someone@example.com", { channel: "EMAIL" });
  });

  it("a prefix whose users verify keeps sending; its history raises the budget (ratio × verified)", async () => {
    const app = await gw.createApp({ name: "Healthy", settings: tight() });
    for (let i = 0; i < 8; i++) {
      const to = `+1415555020${i}`;
      await approve(app.key, await ok(app.key, to), to);
    }
    // 8 verified → room 0.5 × 8 = 4, plus room for chance ⌊3√4⌋ = 6 (a prefix with proofs is a sample of real users):
    // budget max(floor 2, 10); open codes weigh half (all of them seconds old): 20 at a time.
    for (let i = 0; i < 20; i++) await ok(app.key, `+1415555${String(210 + i).padStart(4, "0")}`);
    expect(refusal(await requestOtp(gw, app.key, "+14155550240")).code).toBe("RATE_LIMITED");
    const [block] = await blocksOf(gw, app.id, "pumping_prefix");
    expect(block.details).toMatchObject({ unverified: 20, inFlight: 20, sends: 28, verified: 8, budget: 10, ratio: 0.5, weight: 0.5, soft: true });
    expect(block.details.riskFactors).not.toContain("no_conversion_history");
  });

  it("escalates a prefix blocked again within a day (1st, 2nd, 3rd step of the ladder); a lift resets it", async () => {
    const app = await gw.createApp({ name: "Escalation", settings: tight({ blockSeconds: [1, 3, 30] }) });
    for (let i = 1; i <= 4; i++) await ok(app.key, `+1415555030${i}`); // four open codes at half weight: the floor
    expect(refusal(await requestOtp(gw, app.key, "+14155550311")).retryAfter).toBeLessThanOrEqual(1);
    await sleep(1100);
    // Still over its budget (the unverified sends are within the hour): blocked again, for longer.
    expect(refusal(await requestOtp(gw, app.key, "+14155550312")).retryAfter).toBeGreaterThan(2);
    await sleep(3100);
    expect(refusal(await requestOtp(gw, app.key, "+14155550313")).retryAfter).toBeGreaterThan(20);
    const blocks = await blocksOf(gw, app.id, "pumping_prefix");
    expect(blocks.map((b) => [b.details.escalationStep, b.details.blockSeconds])).toEqual([[1, 1], [2, 3], [3, 30]]);

    await gw.app.services.blockService.lift(blocks[2].id, "support", "the customer's own test handsets");
    // Lifted: the key sends again, the unverified sends behind the block are forgiven, and the next block starts at step 1.
    for (let i = 6; i <= 9; i++) await ok(app.key, `+1415555030${i}`);
    expect(refusal(await requestOtp(gw, app.key, "+14155550310")).retryAfter).toBeLessThanOrEqual(1);
    const after = await blocksOf(gw, app.id, "pumping_prefix");
    expect(after.at(-1)!.details.escalationStep).toBe(1);
    expect(after[2].lifted_at).not.toBeNull();
  });

  it("rotating through a country's fresh prefixes spends the country's budget; prefixes with a history keep sending", async () => {
    const app = await gw.createApp({ name: "Country", settings: tight({ prefix: { floor: 5 }, country: { floor: 3, share: 0.5 } }) });
    // A French user with a history: +33 6 12 34 xx xx verified once.
    const known = await ok(app.key, "+33612340001");
    await approve(app.key, known, "+33612340001");
    // That verification gave France a history, so its other prefixes are judged as the country's fresh ones,
    // apart from its known ones: floor 3, nothing verified among them, open codes at half weight → 6 sends.
    for (let p = 0; p < 6; p++) await ok(app.key, `+3361${p}350001`); // six prefixes (the number without its last four digits)
    const r = await requestOtp(gw, app.key, "+33619350001");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    const [block] = await blocksOf(gw, app.id, "pumping_country");
    expect(block).toMatchObject({ key_masked: "FR" });
    expect(block.details).toMatchObject({ level: "country", unverified: 6, verified: 0, budget: 3, floor: 3, distinctPrefixes: 6 });
    expect(block.details.riskFactors).toContain("country_spike");
    // The prefix real users come from is judged on the country's known budget: not refused.
    await ok(app.key, "+33612340002");
    await ok(app.key, "+33612340003");
  });

  it("record_only: records shadow blocks with the same figures and refuses nothing; enforcing starts from a clean ladder", async () => {
    const app = await gw.createApp({ name: "Shadow", settings: tight({ mode: "record_only" }) });
    for (let i = 1; i <= 6; i++) await ok(app.key, `+1415555040${i}`);
    const blocks = await blocksOf(gw, app.id, "pumping_prefix");
    expect(blocks).toHaveLength(1); // one shadow block per block period, not one per send
    const [row] = await gw.app.db.ds.query(`SELECT shadow FROM rate_limit_blocks WHERE id = $1`, [blocks[0].id]);
    expect(row.shadow).toBe(true);
    expect(blocks[0].details).toMatchObject({ mode: "record_only", shadow: true, unverified: 4, budget: 2, escalationStep: 1 }); // 4 at half weight

    await gw.app.services.apps.updateSettings(app.id, tight({ mode: "enforce" }));
    // No wait: updateSettings drops the app from this process's API key cache before it returns (other processes: by NOTIFY).
    expect(refusal(await requestOtp(gw, app.key, "+14155550407")).code).toBe("RATE_LIMITED");
    const enforced = (await gw.app.db.ds.query(`SELECT details FROM rate_limit_blocks WHERE app_id = $1 AND NOT shadow`, [app.id]))[0];
    expect(enforced.details).toMatchObject({ mode: "enforce", shadow: false, unverified: 6, escalationStep: 1 });
  });

  it("the safe list is never refused by the pumping rules, nor counted; per-destination volume still applies", async () => {
    const app = await gw.createApp({
      name: "Safe", resendCooldownSeconds: 0, maxSends: 2,
      settings: { ...tight(), safelist: [{ pattern: "+141555505xx" }, { pattern: "+14155550699" }] },
    });
    for (let i = 0; i < 6; i++) await ok(app.key, `+141555505${i}0`);
    await ok(app.key, "+14155550699");
    // Not counted: the prefix's own budget (4 open codes at half weight) is untouched for everyone else.
    for (let i = 1; i <= 4; i++) await ok(app.key, `+1415555060${i}`);
    expect(refusal(await requestOtp(gw, app.key, "+14155550605")).code).toBe("RATE_LIMITED");
    // The prefix is now blocked, the safe list still sends.
    await ok(app.key, "+14155550510");
    // Volume limits per destination still apply (maxSends 2 per 10 minutes).
    expect(refusal(await requestOtp(gw, app.key, "+14155550510")).code).toBe("RATE_LIMITED");
    const rules = (await blocksOf(gw, app.id)).map((b) => b.rule);
    expect(rules).toEqual(["pumping_prefix", "sends_per_destination"]);
  });

  it("test destinations are never refused by the pumping rules", async () => {
    const app = await gw.createApp({
      name: "Tests", maxSends: 20, resendCooldownSeconds: 0,
      settings: { ...tight(), testDestinations: [{ destination: "+14155550700", code: "123456" }] },
    });
    for (let i = 0; i < 5; i++) await ok(app.key, "+14155550700");
    expect(await blocksOf(gw, app.id)).toEqual([]);
  });

  it("a daily spend ceiling refuses paid sends with RATE_LIMITED and records one block; e-mail counts apart", async () => {
    const app = await gw.createApp({ name: "Ceiling", settings: { limits: { spendCeiling: { paidPerDay: 3, emailPerDay: 1 } } } });
    await ok(app.key, "+14155550801");
    await ok(app.key, "+12125550802");
    await ok(app.key, "+33612340803", { channel: "VOICE" });
    const r = await requestOtp(gw, app.key, "+14155550804");
    expect(refusal(r).code).toBe("RATE_LIMITED");
    expect(refusal(r).retryAfter).toBeGreaterThan(86_000);
    expect(refusal(await requestOtp(gw, app.key, "+14155550805")).code).toBe("RATE_LIMITED");
    await ok(app.key, "someone@example.com", { channel: "EMAIL" });
    expect(refusal(await requestOtp(gw, app.key, "other@example.com", { channel: "EMAIL" })).code).toBe("RATE_LIMITED");
    const blocks = await blocksOf(gw, app.id);
    expect(blocks.map((b) => [b.rule, b.hits, b.limit])).toEqual([["spend_ceiling_paid", 4, 3], ["spend_ceiling_email", 2, 1]]);
    expect(blocks[0].key_masked).toBe("Ceiling: paid phone channels");
  });

  it("settings are checked when the app is saved", async () => {
    await expect(gw.createApp({ name: "Bad", settings: { limits: { pumping: { prefix: { share: -1 } } } } as never })).rejects.toThrow(/pumping\.prefix\.share/);
    await expect(gw.createApp({ name: "Bad", settings: { limits: { pumping: { mode: "watch" } } } as never })).rejects.toThrow(/pumping\.mode/);
    await expect(gw.createApp({ name: "Bad", settings: { limits: { spendCeiling: { paidPerDay: 0 } } } as never })).rejects.toThrow(/spendCeiling\.paidPerDay/);
    await expect(gw.createApp({ name: "Bad", settings: { safelist: [{ pattern: "+1415555xxxx" }] } })).rejects.toThrow(/1,000 numbers/);
  });
});

describe("abuse protection: pumping budgets shared by several API processes", () => {
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    a = await startGateway();
    b = await startGateway({ databaseUrl: a.env.DATABASE_URL, env: { REDIS_PREFIX: a.env.REDIS_PREFIX } });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it("counts one budget across processes: the floor is the floor of both together", async () => {
    // Floor 4, open codes at half weight (no evidence yet): 8 sends in all, alternating between the processes.
    const app = await a.createApp({ name: "Two processes", settings: { limits: { pumping: { prefix: { floor: 4 }, country: null } } } });
    const accepted: string[] = [];
    for (let i = 0; i < 10; i++) {
      const gw = i % 2 ? b : a;
      const r = await requestOtp(gw, app.key, `+1415555090${i}`);
      if (!r.errors) accepted.push(gw === a ? "a" : "b");
    }
    expect(accepted).toEqual(["a", "b", "a", "b", "a", "b", "a", "b"]);
  });
});
