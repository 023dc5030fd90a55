import { figuresFromReply, LEVEL_CODES, pumpKeys, SCOPES, type PumpFigures, type PumpKeys, type PumpLevel, type PumpScope, type PumpStep } from "./pump-step";

/** A verdict in the script's own shape: {level, state (1 new, 2 standing), ttl ms, unverified, sends, verified, budget, step}. */
type Verdict = number[];

export type PumpJudgement =
  | { refused: true; ttlMs: number; figures: PumpFigures; isNew: boolean }
  | { refused: false; scope: PumpScope; shadowBlock: PumpFigures | null; undo(): void };

/**
 * The pumping budgets of pump-lua.ts for a single process without Redis: the same buckets, the
 * same verdicts; a send is counted when judged and uncounted if a later step refuses it (the
 * script's commit-after-every-step, without a window for concurrent sends between the two). Kept line for line beside the script so
 * the two read alike; the pumping e2e suite runs against both.
 */
export class PumpMemory {
  private readonly hashes = new Map<string, Map<string, number>>();
  private readonly expiring = new Map<string, { value: number; until: number }>();
  private ops = 0;

  constructor(private readonly now: () => number = Date.now) {}

  judge(s: PumpStep): PumpJudgement {
    this.sweep();
    const shadow = !s.enforce;
    const pending: string[] = [];
    let scope: PumpScope = null;
    let shadowBlock: PumpFigures | null = null;
    let verified = 0;
    const levels: Array<[PumpLevel, NonNullable<PumpStep["prefix"]>]> = [];
    if (s.prefix) levels.push(["prefix", s.prefix]);
    if (s.country) levels.push(["country", s.country]);
    for (const [first, l] of levels) {
      // After the prefix: a fresh prefix (no history) is judged on the country's fresh budget, a known one on its known budget.
      const level: PumpLevel = first === "prefix" ? "prefix" : verified > 0 ? "country_known" : "country";
      const keys = pumpKeys("", level, s.appId, l.value, shadow);
      const [fig, v] = this.level(LEVEL_CODES[level], keys, l.budget.floor, l.budget.share, s.ladder);
      if (level === "prefix") verified = v;
      if (fig && s.enforce) return { refused: true, ttlMs: fig[2], figures: figuresFromReply(fig, false), isNew: fig[1] === 1 };
      pending.push(keys.counts);
      scope = SCOPES[LEVEL_CODES[level]];
      if (fig && fig[1] === 1 && !shadowBlock) shadowBlock = figuresFromReply(fig, true);
    }
    // Counted at once (judging and counting in one synchronous turn, as the script is atomic); undone if a later step refuses.
    const minute = this.commit(pending, 1);
    return { refused: false, scope, shadowBlock, undo: () => this.commit(pending, -1, minute) };
  }

  approve(level: PumpLevel, appId: string, value: string, firstSendMinute: number, sends: number): void {
    const h = this.hash(pumpKeys("", level, appId, value, false).counts);
    const { minute, hour } = this.clock();
    let left = sends;
    for (let b = Math.max(firstSendMinute - 2, minute - 60); left > 0 && b <= minute; b++) {
      const n = h.get(`u:${b}`) ?? 0;
      if (n <= 0) continue;
      const take = Math.min(n, left);
      if (take === n) h.delete(`u:${b}`);
      else h.set(`u:${b}`, n - take);
      left -= take;
    }
    h.set(`v:${hour}`, (h.get(`v:${hour}`) ?? 0) + 1);
  }

  lift(level: PumpLevel, appId: string, value: string, shadow: boolean): void {
    const keys = pumpKeys("", level, appId, value, shadow);
    this.expiring.delete(keys.block);
    this.expiring.delete(keys.escalation);
    const h = this.hashes.get(keys.counts);
    if (h) for (const f of [...h.keys()]) if (!f.startsWith("v")) h.delete(f);
  }

  private level(code: number, k: PumpKeys, floor: number, share: number, ladder: number[]): [Verdict | null, number] {
    const [u, s, v] = this.counts(k.counts);
    const budget = Math.max(floor, Math.floor(share * v));
    const block = this.live(k.block);
    if (block) return [[code, 2, block.until - this.now(), u, s, v, budget, block.value], v];
    if (u >= budget) {
      const step = (this.live(k.escalation)?.value ?? 0) + 1;
      this.expiring.set(k.escalation, { value: step, until: this.now() + 86_400_000 });
      const dur = ladder[Math.min(step, ladder.length) - 1];
      this.expiring.set(k.block, { value: step, until: this.now() + dur * 1000 });
      return [[code, 1, dur * 1000, u, s, v, budget, step], v];
    }
    return [null, v];
  }

  private counts(key: string): [number, number, number] {
    const h = this.hash(key);
    const { minute, hour } = this.clock();
    let u = 0, s = 0, v = 0;
    for (const [f, n] of h) {
      const b = Number(f.slice(2));
      if (f[0] === "v") {
        if (b > hour - 24) v += n;
        else h.delete(f);
      } else if (b > minute - 60) {
        if (f[0] === "u") u += n;
        else s += n;
      } else h.delete(f);
    }
    return [u, s, v];
  }

  private commit(pending: string[], by: number, minute = this.clock().minute): number {
    for (const key of pending) {
      const h = this.hash(key);
      for (const f of [`u:${minute}`, `s:${minute}`]) h.set(f, Math.max(0, (h.get(f) ?? 0) + by));
    }
    return minute;
  }

  private live(key: string) {
    const e = this.expiring.get(key);
    if (e && e.until > this.now()) return e;
    if (e) this.expiring.delete(key);
    return null;
  }

  private hash(key: string): Map<string, number> {
    let h = this.hashes.get(key);
    if (!h) this.hashes.set(key, (h = new Map()));
    return h;
  }

  private clock() {
    const minute = Math.floor(this.now() / 60_000);
    return { minute, hour: Math.floor(minute / 60) };
  }

  /** Now and then, forget the prefixes whose every bucket has aged out (an attack rotates through many). */
  private sweep(): void {
    if (++this.ops % 1000) return;
    for (const key of this.hashes.keys()) if (this.counts(key).every((n) => n === 0)) this.hashes.delete(key);
    for (const key of this.expiring.keys()) this.live(key);
  }
}
