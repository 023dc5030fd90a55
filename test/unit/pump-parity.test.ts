import { randomBytes } from "node:crypto";
import pino from "pino";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlockStore } from "../../server/src/protection/block-store";
import { RateLimits } from "../../server/src/protection/rate-limits";
import type { PumpBudget, PumpFigures, PumpLevel, PumpScope, PumpStep } from "../../server/src/protection/pump-step";
import { DEFAULT_LIMITS } from "../../server/src/protection/abuse-settings";
import { approvalLevels } from "../../server/src/protection/pumping-guard";
import { Rng } from "../simulate/random";
import { TEST_REDIS_URL } from "../helpers/test-database";

/**
 * The pumping guard's algorithm is written twice: a Lua script for Redis (pump-lua.ts) and its
 * in-memory twin (pump-memory.ts) for a single process and for the replay. Both are driven here
 * with the same random traffic on the same clock — sends across apps, countries and prefixes,
 * approvals, shadow mode, time passing over hours — and must give the same verdict, figures and
 * scope at every step. The real Redis runs the script; nothing is stubbed but the block rows,
 * which the pump path never writes itself (the step's onBlock is this test's).
 */
type Redis = ReturnType<typeof createClient>;
let redis: Redis;

beforeAll(async () => {
  redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
});
afterAll(async () => {
  await redis?.quit();
});

const noBlocks = { record: async () => undefined } as unknown as BlockStore;
const log = pino({ level: "silent" });

interface Verdict { refused: boolean; retryAfter?: number; scope?: PumpScope; blocks: PumpFigures[] }

async function judge(limits: RateLimits, step: Omit<PumpStep, "onBlock">): Promise<Verdict> {
  const blocks: PumpFigures[] = [];
  const s: PumpStep = { ...step, onBlock: async (f) => void blocks.push(f) };
  try {
    await limits.runInOrder([{ op: "pump", pump: s }]);
    return { refused: false, scope: s.scope, blocks };
  } catch (e) {
    return { refused: true, retryAfter: (e as { extensions?: { retryAfter?: number } }).extensions?.retryAfter, blocks };
  }
}

const budgets = (rng: Rng): Record<PumpLevel, PumpBudget | null> => {
  const b = (floor: number) => (rng.chance(0.1) ? null : { floor: rng.int(Math.max(0, floor - 5), floor + 5), share: rng.pick([0.5, 1, 2]) });
  const country = b(12);
  return { prefix: b(4), country, country_known: country, unproven: b(10), app: b(20) };
};

describe("pump algorithm: Redis script and memory twin agree", () => {
  for (const seed of [1, 2, 3]) {
    it(`on random traffic (seed ${seed})`, async () => {
      const rng = new Rng(seed);
      const prefix = `otpg-parity-${randomBytes(4).toString("hex")}:`;
      const inRedis = new RateLimits(redis, prefix, noBlocks, log);
      const inMemory = new RateLimits(undefined, prefix, noBlocks, log);
      const apps = ["a", "b"].map((a) => `${a}-${seed}`);
      const countries = ["US", "GB", "FR", null];
      const prefixes = Array.from({ length: 12 }, (_, i) => `+1555${100 + i}`);
      const settings = apps.map(() => budgets(rng));
      let now = Date.UTC(2026, 11, 7, 10, 0, 0);
      const accepted: Array<{ appId: string; country: string | null; prefix: string; scope: PumpScope; at: number }> = [];
      let refusals = 0;
      let approvals = 0;
      for (let i = 0; i < 1500; i++) {
        now += rng.chance(0.01) ? rng.int(600, 3 * 3600) * 1000 : rng.int(0, 6_000);
        if (accepted.length && rng.chance(0.2)) {
          const a = accepted.splice(rng.int(0, accepted.length - 1), 1)[0];
          if (!a.scope) continue;
          const c = a.country ?? "-";
          const levels = {
            prefix: [{ level: "prefix" as const, value: a.prefix }],
            known: [{ level: "prefix" as const, value: a.prefix }, { level: "country_known" as const, value: c }],
            fresh: [{ level: "prefix" as const, value: a.prefix }, { level: "country" as const, value: c }, { level: "app" as const, value: "-" }],
            unproven: [{ level: "prefix" as const, value: a.prefix }, { level: "unproven" as const, value: "-" }, { level: "app" as const, value: "-" }],
          }[a.scope];
          const approval = { appId: a.appId, levels, country: a.country, firstSendAt: a.at, now, sends: 1 };
          await inRedis.pumpApproved(approval);
          await inMemory.pumpApproved(approval);
          approvals++;
          continue;
        }
        const app = rng.int(0, apps.length - 1);
        const step = {
          appId: apps[app], prefix: rng.pick(prefixes), country: rng.pick(countries), budgets: settings[app],
          enforce: !rng.chance(0.1), ladder: [rng.int(60, 600), 3600], windowMinutes: rng.pick([2, 5, 10]), now,
        };
        const [r, m] = [await judge(inRedis, step), await judge(inMemory, step)];
        expect({ i, ...m }).toEqual({ i, ...r });
        if (r.refused) refusals++;
        else accepted.push({ appId: step.appId, country: step.country, prefix: step.prefix, scope: r.scope ?? null, at: now });
      }
      // The traffic exercised both answers and the approvals.
      expect(refusals).toBeGreaterThan(20);
      expect(accepted.length + approvals).toBeGreaterThan(200);
    }, 60_000);
  }

  it("tells a standing block of a 60-second ladder step from a soft refusal (escalation step 0), in both", async () => {
    for (const limits of [new RateLimits(redis, `otpg-soft-${randomBytes(4).toString("hex")}:`, noBlocks, log), new RateLimits(undefined, "m:", noBlocks, log)]) {
      const off = { prefix: null, country: null, country_known: null, unproven: null, app: null };
      const now = Date.UTC(2026, 11, 7, 10, 0, 0);
      const base = { appId: "soft", country: "US", enforce: true, ladder: [60, 3600], windowMinutes: 5, now };
      // The prefix level is hard: over its floor of 1 with nothing proven, it blocks for the ladder's 60 s.
      const hard = { ...base, prefix: "+1555200", budgets: { ...off, prefix: { floor: 1, share: 1 } } };
      // In-flight sends weigh half while nothing shows how the scope converts: two fit a budget of 1.
      for (let i = 0; i < 2; i++) expect((await judge(limits, hard)).refused).toBe(false);
      const blocked = await judge(limits, hard);
      expect(blocked).toMatchObject({ refused: true, retryAfter: 60 });
      expect(blocked.blocks[0]).toMatchObject({ level: "prefix", escalationStep: 1, blockSeconds: 60 });
      // The app-wide level is soft: the same 60 s retry, but no standing block, step 0.
      const soft = { ...base, appId: "soft-app", prefix: "+1555300", budgets: { ...off, app: { floor: 1, share: 1 } } };
      for (let i = 0; i < 2; i++) expect((await judge(limits, soft)).refused).toBe(false);
      const refused = await judge(limits, soft);
      expect(refused).toMatchObject({ refused: true, retryAfter: 60 });
      expect(refused.blocks[0]).toMatchObject({ level: "app", escalationStep: 0, blockSeconds: 60 });
    }
  });

  it("judges conversion: open codes weigh what the scope fails to convert; proof within the hour makes room; the app's record sets the ratio — in both", async () => {
    for (const limits of [new RateLimits(redis, `otpg-conv-${randomBytes(4).toString("hex")}:`, noBlocks, log), new RateLimits(undefined, "m:", noBlocks, log)]) {
      const off = { prefix: null, country: null, country_known: null, unproven: null, app: null };
      const t0 = Date.UTC(2026, 11, 7, 10, 0, 0);
      const min = 60_000;
      const step = (appId: string, prefix: string, now: number, floor = 4) =>
        ({ appId, prefix, country: "US", enforce: true, ladder: [3600], windowMinutes: 10, now, budgets: { ...off, prefix: { floor, share: 1 } } });
      const approve = (appId: string, prefix: string, firstSendAt: number, now: number) =>
        limits.pumpApproved({ appId, levels: [{ level: "prefix", value: prefix }], country: "US", firstSendAt, now, sends: 1 });
      /** Sends until one is refused (or `max` passed): how many passed, and the refusal's figures. */
      let last: PumpFigures | undefined;
      const accepted = async (s: ReturnType<typeof step>, max = 50) => {
        for (let n = 0; n < max; n++) {
          const v = await judge(limits, s);
          if (v.refused) {
            last = v.blocks[0];
            return n;
          }
        }
        return max;
      };

      // A scope whose codes of five minutes ago went unverified: its open codes count whole (weight 1) — 4 fit a floor of 4.
      expect(await accepted(step("w", "+1555400", t0), 3)).toBe(3);
      expect(await accepted(step("w", "+1555400", t0 + 5 * min))).toBe(1);
      expect((await judge(limits, step("w", "+1555401", t0 + 5 * min))).refused).toBe(false); // another prefix: its own budget
      expect(last).toMatchObject({ level: "prefix", inFlight: 4, weight: 1, verified: 0, budget: 4 });
      // One whose earlier codes were verified: they count half (weight 0.5), and its 2 proofs give a room of 2 + 3√2 (room for chance)
      // = 6 over the floor of 4 — 12 open codes fit.
      expect(await accepted(step("h", "+1555500", t0), 4)).toBe(4);
      for (let i = 0; i < 2; i++) await approve("h", "+1555500", t0, t0 + 1 * min);
      expect(await accepted(step("h", "+1555500", t0 + 5 * min))).toBe(10);
      expect(last).toMatchObject({ inFlight: 12, weight: 0.5, verified: 2, budget: 6, escalationStep: 0 }); // proven here: a soft refusal

      // A launch earns room as its users verify, within the hour: 8 first codes, 6 typed back at once, then 26 more fit —
      // budget max(4, 6 + ⌊3√6⌋ = 13) at half weight, and the 2 codes still open from before the proofs are vouched for
      // (count nothing); the codes sent after the latest proof never are.
      expect(await accepted(step("l", "+1555600", t0), 8)).toBe(8);
      for (let i = 0; i < 6; i++) await approve("l", "+1555600", t0, t0 + 30_000);
      expect(await accepted(step("l", "+1555600", t0 + 40_000))).toBe(26);
      expect(last).toMatchObject({ inFlight: 28, verified: 6, budget: 13, ratio: 1, vouched: 2 });

      // Room for chance is 3 standard deviations of the record's room (Poisson: its square root), over the floor only:
      // 50 verified at a share of 0.5 → room 25 → 25 + 15 = 40 abandoned codes fit (a sample of an app converting 80 %
      // that happened to abandon 29 of 80 was refused at 25 before); a room below the floor leaves the floor.
      const half = (now: number, p: string) => ({ ...step("c", p, now, 30), budgets: { ...off, prefix: { floor: 30, share: 0.5 } } });
      for (const [p, abandoned, refused] of [["+1555900", 39, false], ["+1555901", 41, true]] as const) {
        for (let i = 0; i < 50; i++) {
          expect((await judge(limits, half(t0 + i * 1000, p))).refused).toBe(false);
          await approve("c", p, t0 + i * 1000, t0 + i * 1000 + 500);
        }
        expect(await accepted(half(t0 + 2 * min, p), abandoned)).toBe(abandoned);
        // 11 minutes on the window has closed on them: they count whole, the new code half.
        const v = await judge(limits, half(t0 + 13 * min, p));
        expect(v.refused).toBe(refused);
        if (refused) expect(v.blocks[0]).toMatchObject({ verified: 50, budget: 40, unconverted: 41, ratio: 0.5 });
      }

      // The app's record (≥ 50 proven in closed hours) replaces the share: 100 sends, 60 verified → 40/60 abandoned per proven, ×1.25 + 0.05 = 0.88.
      for (let i = 0; i < 100; i++) {
        const p = `+1555${700 + (i % 50)}`;
        expect((await judge(limits, step("r", p, t0 + i * 1000, 1_000_000))).refused).toBe(false);
        if (i < 60) await approve("r", p, t0 + i * 1000, t0 + i * 1000 + 500);
      }
      const later = t0 + 65 * min; // the next hour: the first one is closed
      expect(await accepted(step("r", "+1555800", later))).toBe(8);
      expect(last).toMatchObject({ ratio: 0.88, weight: 0.5, budget: 4 });
    }
  });

  /**
   * Sends to fresh prefixes in US, GB and CA at `perSecond` for `seconds` on default budgets, each
   * verified after `typing(i)` seconds (null: never), in time order with the approvals; a refused
   * user never verifies. Returns how many were accepted and the first refusal's figures.
   */
  async function stream(limits: RateLimits, o: { appId: string; t0: number; perSecond: number; seconds: number; typing: (i: number) => number | null; country?: (i: number) => string }) {
    const p = DEFAULT_LIMITS.pumping;
    const budgets = { prefix: p.prefix, country: p.country, country_known: p.country, unproven: p.unproven, app: p.app };
    const rng = new Rng(7);
    type Event = { at: number; i: number; kind: "send" | "verify" };
    const events: Event[] = [];
    for (let i = 0; i < o.perSecond * o.seconds; i++) {
      const at = o.t0 + (i * 1000) / o.perSecond;
      events.push({ at, i, kind: "send" });
      const t = o.typing(i);
      if (t !== null) events.push({ at: at + t * 1000, i, kind: "verify" });
    }
    events.sort((a, b) => a.at - b.at || (a.kind === "verify" ? -1 : 1));
    const sent = new Map<number, { prefix: string; country: string; scope: PumpScope; at: number }>();
    let accepted = 0;
    let refusal: PumpFigures | undefined;
    for (const e of events) {
      if (e.kind === "send") {
        const country = o.country?.(e.i) ?? (rng.chance(0.6) ? "US" : rng.chance(0.6) ? "GB" : "CA");
        const prefix = `+${country}-${o.appId}-${o.t0}-${e.i}`; // a fresh prefix for every user, as a launch's are
        const v = await judge(limits, { appId: o.appId, prefix, country, budgets, enforce: true, ladder: p.blockSeconds, windowMinutes: 10, now: e.at });
        if (v.refused) refusal ??= v.blocks[0];
        else {
          accepted++;
          sent.set(e.i, { prefix, country, scope: v.scope ?? null, at: e.at });
        }
      } else {
        const s = sent.get(e.i);
        if (!s?.scope) continue;
        await limits.pumpApproved({ appId: o.appId, levels: approvalLevels(s.scope, `${s.prefix}0000`, s.country), country: s.country, firstSendAt: s.at, now: e.at, sends: 1 });
      }
    }
    return { accepted, refusal };
  }

  it("lets a launch's first users through on default budgets while the same stream unverified stops at its bound, and an attack riding real proofs gets no more — in both", async () => {
    for (const limits of [new RateLimits(redis, `otpg-launch-${randomBytes(4).toString("hex")}:`, noBlocks, log), new RateLimits(undefined, "m:", noBlocks, log)]) {
      const t0 = Date.UTC(2026, 11, 7, 10, 0, 20);
      const rng = new Rng(11);
      // A launch: 5 new users a second for two minutes (600), three in four typing their code within 5–30 s, the rest never.
      // Rate × typing time: 30 s in, 150 sent, 50 verified, 100 open — twice the app level's floor (100), where the rule
      // before vouching refused the next users (4 of them); the proofs now vouch for the codes sent before them.
      const typing = Array.from({ length: 600 }, () => (rng.chance(0.75) ? rng.between(5, 30) : null));
      const launch = await stream(limits, { appId: "launch", t0, perSecond: 5, seconds: 120, typing: (i) => typing[i] });
      expect(launch).toEqual({ accepted: 600, refusal: undefined });

      // The same stream, nobody verifying: no country gets a history, so the unproven territory stops it at twice its floor (30).
      const pump = await stream(limits, { appId: "pump", t0, perSecond: 5, seconds: 120, typing: () => null });
      expect(pump.accepted).toBe(60);
      expect(pump.refusal).toMatchObject({ level: "unproven", inFlight: 60, vouched: 0, verified: 0 });

      // Riding: 12 US users verify within seconds, then an attack on fresh US prefixes right after, nobody verifying: the codes
      // sent after the latest proof are vouched for by nobody, so the country's fresh prefixes stop it at 60 (2 × 30), as before.
      const real = await stream(limits, { appId: "ride", t0, perSecond: 1, seconds: 12, typing: () => 2, country: () => "US" });
      expect(real.accepted).toBe(12);
      const ride = await stream(limits, { appId: "ride", t0: t0 + 15_000, perSecond: 5, seconds: 60, typing: () => null, country: () => "US" });
      expect(ride.accepted).toBe(60);
      expect(ride.refusal).toMatchObject({ level: "country", vouched: 0, inFlight: 60 });

      // A trickle: 3 US users verify, then an attack on fresh US prefixes, and one more real user — who asked just
      // before it — verifies 14 s in. Four proofs in two minutes against 70 sends: fewer than a tenth, so they vouch
      // for nothing (before, that one proof made all four vouch for 12 of the attack's codes: 72 paid).
      const few = await stream(limits, { appId: "trickle", t0, perSecond: 1, seconds: 3, typing: () => 2, country: () => "US" });
      expect(few.accepted).toBe(3);
      const flood = await stream(limits, { appId: "trickle", t0: t0 + 10_000, perSecond: 5, seconds: 60, typing: (i) => (i === 0 ? 14 : null), country: () => "US" });
      expect(flood.accepted).toBe(61); // 2 × 30, and the real user's own code, verified
      expect(flood.refusal).toMatchObject({ level: "country", vouched: 0 });
    }
  });
});
