import {
  figuresFromReply, isSoftLevel, LEVEL_CODES, hasChanceRoom, levelValue, NOISE_SIGMAS, pumpKeys, pumpProofKey, pumpStatsKey, RECENT_PROOF_MINUTES, RECORD_MIN_PROVEN, SCOPES, SOFT_RETRY_SECONDS,
  VOUCH_APP_PROOF_PERCENT, VOUCH_FLOORS, VOUCH_MIN_PROOF_PERCENT, VOUCH_PER_PROOF, YOUNG_MINUTES,
  type PumpFigures, type PumpKeys, type PumpLevel, type PumpScope, type PumpStep,
} from "./pump-step";

/** A verdict in the script's own shape (see FIGURE_COUNT in pump-step.ts). */
type Verdict = number[];

export type PumpJudgement =
  | { refused: true; ttlMs: number; figures: PumpFigures; isNew: boolean }
  | { refused: false; scope: PumpScope; shadowBlock: PumpFigures | null; undo(): void };

/**
 * The conversion budgets of pump-lua.ts for a single process without Redis, and for the replay
 * of recorded traffic: the same buckets, the same verdicts, on the clock each call brings. A send
 * is counted when judged and uncounted if a later step refuses it (the script's
 * commit-after-every-step, without a window for concurrent sends between the two). Kept line for
 * line beside the script; test/unit/pump-parity.test.ts runs both on the same random traffic.
 */
export class PumpMemory {
  private readonly hashes = new Map<string, Map<string, number>>();
  private readonly expiring = new Map<string, { value: number; until: number }>();
  private ops = 0;

  judge(s: PumpStep): PumpJudgement {
    const now = s.now;
    const clock = this.clock(now, s.windowMinutes);
    this.sweep(clock, now);
    const shadow = !s.enforce;
    const pending: string[] = [];
    let shadowBlock: PumpFigures | null = null;
    const learned = this.ratio(pumpStatsKey("", s.appId), clock);
    const budget = (level: PumpLevel) => {
      const b = s.budgets[level];
      return b ? { floor: b.floor, ratio: learned ?? Math.round(b.share * 100) } : null;
    };
    const run = (level: PumpLevel): { verdict: Verdict | null; v: number } | null => {
      const b = budget(level);
      if (!b) return null;
      const keys = pumpKeys("", level, s.appId, levelValue(level, s), shadow);
      const [verdict, v] = this.level(LEVEL_CODES[level], keys, b.floor, b.ratio, s.ladder, isSoftLevel(level), hasChanceRoom(level), appVouches, clock, now);
      return { verdict, v };
    };
    // vouch_app (pump-lua.ts): the app's fresh traffic proving itself lets any scope's proofs vouch.
    const app = s.budgets.app ? this.counts(pumpKeys("", "app", s.appId, "-", shadow).counts, clock) : null;
    const appVouches = !!app && 100 * app.proofs >= VOUCH_APP_PROOF_PERCENT * app.srecent;
    let scope = 0;
    let vprefix = 0;
    const judged: PumpLevel[] = [];
    const prefix = run("prefix");
    if (prefix) {
      vprefix = prefix.v;
      if (prefix.verdict && s.enforce) return refused(prefix.verdict);
      pending.push(pumpKeys("", "prefix", s.appId, s.prefix, shadow).counts);
      shadowBlock ??= kept(prefix.verdict);
      scope = 1;
    }
    // Its territory (see PUMP_LUA_OP): known prefixes, or the country's fresh ones, or the unproven territory; plus the app's fresh traffic.
    const territory: PumpLevel = vprefix > 0 ? "country_known" : this.live(pumpProofKey("", s.appId, s.country), now) ? "country" : "unproven";
    judged.push(territory);
    if (territory !== "country_known") judged.push("app");
    for (const level of judged) {
      const r = run(level);
      if (!r) continue;
      if (r.verdict && s.enforce) return refused(r.verdict);
      pending.push(pumpKeys("", level, s.appId, levelValue(level, s), shadow).counts);
      shadowBlock ??= kept(r.verdict);
      if (level !== "app") scope = { country: 2, country_known: 3, unproven: 4 }[level as "country"];
    }
    if ((scope === 0 || scope === 1) && territory !== "country_known" && s.budgets.app && !s.budgets[territory]) scope = 4;
    // Counted at once (judging and counting in one synchronous turn, as the script is atomic); undone if a later step refuses.
    const stats = pumpStatsKey("", s.appId);
    this.commit(pending, stats, 1, clock);
    return { refused: false, scope: SCOPES[scope], shadowBlock, undo: () => this.commit(pending, stats, -1, clock) };
  }

  approve(appId: string, levels: Array<{ level: PumpLevel; value: string }>, country: string | null, firstSendMinute: number, sends: number, now: number): void {
    const { minute, hour } = this.clock(now, 1);
    for (const l of levels) {
      const h = this.hash(pumpKeys("", l.level, appId, l.value, false).counts);
      let left = sends;
      for (let b = Math.max(firstSendMinute - 2, minute - 60); left > 0 && b <= minute; b++) {
        const n = h.get(`u:${b}`) ?? 0;
        if (n <= 0) continue;
        const take = Math.min(n, left);
        if (take === n) h.delete(`u:${b}`);
        else h.set(`u:${b}`, n - take);
        left -= take;
      }
      add(h, `v:${hour}`, 1);
      add(h, `p:${minute}`, 1);
      h.set("A", h.get("N") ?? 0);
    }
    add(this.hash(pumpStatsKey("", appId)), `v:${hour}`, sends);
    if (country) this.expiring.set(pumpProofKey("", appId, country), { value: 1, until: now + 86_400_000 });
  }

  lift(level: PumpLevel, appId: string, value: string, shadow: boolean): void {
    const keys = pumpKeys("", level, appId, value, shadow);
    this.expiring.delete(keys.block);
    this.expiring.delete(keys.escalation);
    const h = this.hashes.get(keys.counts);
    if (h) for (const f of [...h.keys()]) if (f[0] === "u" || f[0] === "s") h.delete(f);
  }

  private level(code: number, k: PumpKeys, floor: number, ratio: number, ladder: number[], soft: boolean, chance: boolean, appVouches: boolean, c: Clock, now: number): [Verdict | null, number] {
    const { inflight, unconv, s, vday, vrecent, young, proofs, since, srecent } = this.counts(k.counts, c);
    const room = Math.floor((ratio * vday) / 100);
    const budget = Math.max(floor, chance ? room + Math.floor(NOISE_SIGMAS * Math.sqrt(room)) : room);
    const open = inflight + unconv;
    const aged = inflight - young + unconv;
    const w = vrecent + aged === 0 ? 50 : 100 - Math.min(50, Math.floor((100 * vrecent) / (vrecent + aged)));
    // pump_vouched: codes sent before the latest proof, VOUCH_PER_PROOF per recent proof, VOUCH_FLOORS floors at most;
    // none while the recent proofs are fewer than VOUCH_MIN_PROOF_PERCENT of the recent sends, unless the app's are enough.
    const vouched = 100 * proofs < VOUCH_MIN_PROOF_PERCENT * srecent && !appVouches ? 0 : Math.max(0, Math.min(VOUCH_PER_PROOF * proofs, VOUCH_FLOORS * floor, inflight - since));
    const fig = [code, 0, 0, open, s, vday, budget, 0, inflight, unconv, w, ratio, vouched];
    if (!soft) {
      const block = this.live(k.block, now);
      if (block) return [set(fig, 2, block.until - now, block.value), vday];
    }
    if (100 * unconv + w * Math.max(0, inflight + 1 - vouched) <= 100 * budget) return [null, vday];
    if (soft || vrecent > 0) {
      const mark = `${k.block}:m`;
      const isNew = !this.live(mark, now);
      if (isNew) this.expiring.set(mark, { value: 1, until: now + 3_600_000 });
      return [set(fig, isNew ? 1 : 2, SOFT_RETRY_SECONDS * 1000, 0), vday]; // step 0: soft (see pump-lua.ts)
    }
    const step = (this.live(k.escalation, now)?.value ?? 0) + 1;
    this.expiring.set(k.escalation, { value: step, until: now + 86_400_000 });
    const dur = ladder[Math.min(step, ladder.length) - 1];
    this.expiring.set(k.block, { value: step, until: now + dur * 1000 });
    return [set(fig, 1, dur * 1000, step), vday];
  }

  private counts(key: string, c: Clock) {
    const h = this.hash(key);
    let inflight = 0, unconv = 0, s = 0, vday = 0, vrecent = 0, young = 0, proofs = 0, sent = 0, atProof = 0, srecent = 0;
    for (const [f, n] of h) {
      const b = Number(f.slice(2));
      if (f === "N") sent = n;
      else if (f === "A") atProof = n;
      else if (f[0] === "p") {
        if (b > c.minute - RECENT_PROOF_MINUTES) proofs += n;
        else h.delete(f);
      } else if (f[0] === "v") {
        if (b > c.hour - 24) {
          vday += n;
          if (b >= c.hour - 1) vrecent += n;
        } else h.delete(f);
      } else if (b > c.minute - 60) {
        if (f[0] === "s") {
          s += n;
          if (b > c.minute - RECENT_PROOF_MINUTES) srecent += n;
        } else if (b > c.minute - c.window) {
          inflight += n;
          if (b > c.minute - YOUNG_MINUTES) young += n;
        }
        else unconv += n;
      } else h.delete(f);
    }
    return { inflight, unconv, s, vday, vrecent, young, proofs, since: sent - atProof, srecent };
  }

  /** pump_ratio: the app's record as a percentage, or null without enough proof. */
  private ratio(key: string, c: Clock): number | null {
    const h = this.hash(key);
    let sends = 0, proven = 0;
    for (const [f, n] of h) {
      const b = Number(f.slice(2));
      if (b <= c.hour - 24) h.delete(f);
      else if (b < c.hour) {
        if (f[0] === "S") sends += n;
        else proven += n;
      }
    }
    if (proven < RECORD_MIN_PROVEN) return null;
    return Math.max(50, Math.min(300, Math.floor((125 * Math.max(0, sends - proven)) / proven) + 5));
  }

  private commit(pending: string[], stats: string, by: number, c: Clock): void {
    for (const key of pending) {
      const h = this.hash(key);
      for (const f of [`u:${c.minute}`, `s:${c.minute}`, "N"]) h.set(f, Math.max(0, (h.get(f) ?? 0) + by));
    }
    const h = this.hash(stats);
    h.set(`S:${c.hour}`, Math.max(0, (h.get(`S:${c.hour}`) ?? 0) + by));
  }

  private live(key: string, now: number) {
    const e = this.expiring.get(key);
    if (e && e.until > now) return e;
    if (e) this.expiring.delete(key);
    return null;
  }

  private hash(key: string): Map<string, number> {
    let h = this.hashes.get(key);
    if (!h) this.hashes.set(key, (h = new Map()));
    return h;
  }

  private clock(now: number, window: number): Clock {
    const minute = Math.floor(now / 60_000);
    return { minute, hour: Math.floor(minute / 60), window };
  }

  /** Now and then, forget the keys whose every bucket has aged out (an attack rotates through many). */
  private sweep(c: Clock, now: number): void {
    if (++this.ops % 1000) return;
    for (const [key, h] of this.hashes) {
      for (const f of [...h.keys()]) {
        if (f === "N" || f === "A") continue; // counters: they go with the key
        const b = Number(f.slice(2));
        const old = f[0] === "v" || f[0] === "S" ? b <= c.hour - 24 : b <= c.minute - 60;
        if (old) h.delete(f);
      }
      // Only the send counters left: they matter only beside a recent proof, of which none is left.
      if ([...h.keys()].every((f) => f === "N" || f === "A")) this.hashes.delete(key);
    }
    for (const key of this.expiring.keys()) this.live(key, now);
  }
}

interface Clock { minute: number; hour: number; window: number }

function refused(v: Verdict): PumpJudgement {
  return { refused: true, ttlMs: v[2], figures: figuresFromReply(v, false), isNew: v[1] === 1 };
}
const kept = (v: Verdict | null): PumpFigures | null => (v && v[1] === 1 ? figuresFromReply(v, true) : null);
function set(fig: number[], state: number, ttl: number, step: number): number[] {
  fig[1] = state;
  fig[2] = ttl;
  fig[7] = step;
  return fig;
}
const add = (h: Map<string, number>, f: string, n: number) => h.set(f, (h.get(f) ?? 0) + n);

