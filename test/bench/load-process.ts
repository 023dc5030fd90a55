/**
 * The load generator: autocannon (full-speed phases) or an evenly paced open loop (phases at a
 * set rate), in its own process, driving one scenario at a time on the orchestrator's command. It keeps the pool of delivered codes between runs, so verifyOtp
 * phases type back codes that earlier requestOtp phases had sent.
 */
import { CodePool, PeerCodePool } from "./code-pool";
import { serveParent } from "./ipc";
import { pacedRun } from "./paced-load";
import { buildScenario, type Tally, type Targets } from "./scenarios";

// autocannon ships no types; the result fields used are listed in RunResult.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon: any = require("autocannon");

export interface RunArgs { scenario: string; connections: number; durationS: number; rate?: number; amount?: number }

export interface RunResult {
  scenario: string;
  connections: number;
  rate: number | null;
  durationS: number;
  requests: number;
  throughput: number;
  ok: number;
  errors: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  exhausted: boolean;
}

let targets: Targets;
let pool: CodePool;
let peerPool: PeerCodePool;

async function run(a: RunArgs): Promise<RunResult> {
  const tally: Tally = { ok: 0, errors: {}, exhausted: false };
  let instance: any;
  let stopped = false;
  const stop = () => {
    if (!stopped && instance) {
      stopped = true;
      setImmediate(() => instance.stop());
    }
  };
  const scenario = buildScenario(a.scenario, targets, pool, peerPool, tally, stop);
  // Codes keep arriving while a loop runs: pair them as they come.
  const poller = a.scenario === "loop" ? setInterval(() => void pool.poll().catch(() => undefined), 100) : undefined;
  try {
    if (a.rate) {
      // Half-rate phases: evenly paced, open loop (see paced-load.ts for why not autocannon's rate).
      const r = await pacedRun(scenario, a.rate, a.durationS);
      const errors = { ...tally.errors, ...(r.timeouts ? { TIMEOUT: r.timeouts } : {}), ...(r.socketErrors ? { SOCKET_ERROR: r.socketErrors } : {}) };
      return {
        scenario: a.scenario, connections: a.connections, rate: a.rate, durationS: r.durationS, requests: r.requests,
        throughput: r.requests / r.durationS, ok: tally.ok, errors, exhausted: tally.exhausted, latencyMs: r.latencyMs,
      };
    }
    const result: any = await new Promise((resolve, reject) => {
      instance = autocannon(
        {
          url: scenario.url, requests: scenario.requests, connections: a.connections, duration: a.durationS,
          ...(a.rate ? { overallRate: Math.max(1, Math.round(a.rate)) } : {}),
          ...(a.amount ? { amount: a.amount } : {}),
          timeout: 30,
        },
        (err: Error | null, r: unknown) => (err ? reject(err) : resolve(r)),
      );
    });
    const requests = result.requests.total as number;
    return {
      scenario: a.scenario, connections: a.connections, rate: a.rate ?? null, durationS: result.duration, requests,
      throughput: requests / result.duration, ok: tally.ok, errors: withTransportErrors(tally.errors, result), exhausted: tally.exhausted,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
    };
  } finally {
    if (poller) clearInterval(poller);
  }
}

function withTransportErrors(errors: Record<string, number>, r: any): Record<string, number> {
  const out = { ...errors };
  if (r.timeouts) out.TIMEOUT = r.timeouts;
  if (r.errors - r.timeouts > 0) out.SOCKET_ERROR = r.errors - r.timeouts;
  return out;
}

serveParent({ pid: process.pid }, {
  configure: (t: Targets & { vendor: string }) => {
    targets = t;
    pool = new CodePool(`${t.vendor}/__bench/codes`);
    if (t.peer) peerPool = new PeerCodePool(`${t.peer}/__bench/codes`);
  },
  /** Points the load at another gateway (or floor), keeping the codes already collected. */
  retarget: (t: Partial<Targets>) => {
    targets = { ...targets, ...t };
  },
  configurePeer: (p: { peer: string }) => {
    targets = { ...targets, peer: p.peer };
    peerPool = new PeerCodePool(`${p.peer}/__bench/codes`);
  },
  run,
  /** Waits for delivered codes: at least `n` ready, or nothing new for a few seconds. */
  fillCodes: async ({ n }: { n: number }) => ({ ready: await pool.fill(n), waiting: pool.waitingCount }),
  peerCodes: async () => {
    await peerPool.poll();
    return { ready: peerPool.readyCount };
  },
  pool: () => ({ ready: pool.readyCount, waiting: pool.waitingCount }),
});
