/** The benchmark's one table (Markdown, for the terminal and the README) and its JSON twin. */
import { readFileSync, writeFileSync } from "node:fs";
import type { QueueTimings } from "./bench-db";
import type { RunResult } from "./load-process";

export interface PhaseRow {
  name: string;
  server: "gateway" | "floor" | "better-auth";
  what: string;
  result: RunResult;
  peakRssBytes: number;
  /** The measured server's CPU time (user + system) per request: what throughput would be bounded by on idle cores. */
  cpuMsPerRequest: number;
  /**
   * A `serve` process accepting and delivering: its CPU (every thread) from the phase's start
   * until its outbox was empty, per code accepted — accepted, stored, claimed and handed to the vendor.
   */
  cpuMsPerCode?: number;
  queue?: QueueTimings;
  /** Seconds the outbox took to empty after the phase (one `serve` process accepts faster than it delivers). */
  drainSeconds?: number;
}

/** What a phase's process kept up with: its requests over the phase plus the time its outbox then took to empty. */
export const sustainedRate = (p: PhaseRow) => p.result.requests / (p.result.durationS + (p.drainSeconds ?? 0));

export interface DispatchResult { backlog: number; delivered: number; seconds: number; perSecond: number; peakRssBytes: number; cpuMsPerDelivery?: number }
export interface SubscriptionResult {
  opened: number; withSnapshot: number; connections: number; verifications: number; openSeconds: number;
  rssBeforeBytes: number; rssAfterBytes: number; bytesPerSubscription: number; heapBytesPerSubscription: number;
  fanout: { resends: number; failedResends: number; events: number; seconds: number; eventsPerSecond: number; peakRssBytes: number };
}
export interface TargetCheck { target: string; measured: string; met: boolean | null; note?: string }

export interface BenchReport {
  ranAt: string;
  machine: Record<string, string | number>;
  settings: Record<string, unknown>;
  phases: PhaseRow[];
  dispatch?: DispatchResult;
  subscriptions?: SubscriptionResult;
  /** What the tracing phase's collector received. */
  tracing?: { exports: number; bytes: number };
  targets: TargetCheck[];
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
const f1 = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const ratio = (x: number, base: number) => (base > 0 ? `${(x / base).toFixed(2)}×` : "–");

export function markdown(r: BenchReport): string {
  const floor = r.phases.find((p) => p.name === "{ __typename }");
  const out: string[] = [];
  out.push(`Ran ${r.ranAt} on ${r.machine.cpu} (${r.machine.cores} cores, ${r.machine.memoryGb} GB), Node ${r.machine.node}, ` +
    `PostgreSQL ${r.machine.postgres}, Redis ${r.machine.redis}${r.machine.loadAverageAtStart ? ` (load average ${r.machine.loadAverageAtStart} at start)` : ""}; ${r.settings.connections} connections, ${r.settings.durationS} s per phase, ` +
    `gateway LOG_LEVEL=${r.settings.logLevel}, NODE_ENV=production. Ratios are to \`{ __typename }\` on the same gateway in the same run.`);
  out.push("");
  out.push("| phase | server | req/s | × floor | p50 ms | × | p99 ms | × | peak RSS MB | × | CPU ms/req | errors |");
  out.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const p of r.phases) {
    const l = p.result.latencyMs;
    const errs = Object.entries(p.result.errors).map(([k, v]) => `${k}: ${v}`).join(", ") || "0";
    const cut = p.result.exhausted ? " (ran out of delivered codes; shortened)" : "";
    const b = floor?.result;
    out.push(`| ${p.name}${cut} | ${p.server} | ${f0(p.result.throughput)} | ${b ? ratio(p.result.throughput, b.throughput) : "–"} | ${f1(l.p50)} | ${b ? ratio(l.p50, b.latencyMs.p50) : "–"} | ` +
      `${f1(l.p99)} | ${b ? ratio(l.p99, b.latencyMs.p99) : "–"} | ${mb(p.peakRssBytes)} | ${floor ? ratio(p.peakRssBytes, floor.peakRssBytes) : "–"} | ${p.cpuMsPerRequest.toFixed(2)} | ${errs} |`);
  }
  out.push("");
  out.push(...cpuTable(r));
  const q = r.phases.filter((p) => p.queue);
  if (q.length) {
    out.push("| worker, while requestOtp ran | sent/s | queued → claimed p50 ms | p99 ms | queued → handed to vendor p99 ms | outbox empty after the phase |");
    out.push("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const p of q) {
      out.push(`| ${p.name} | ${f0(p.queue!.sentPerSecond)} | ${f1(p.queue!.claimP50Ms)} | ${f1(p.queue!.claimP99Ms)} | ${f1(p.queue!.handedP99Ms)} | ${p.drainSeconds === undefined ? "–" : `${p.drainSeconds.toFixed(1)} s`} |`);
    }
    out.push("");
  }
  if (r.dispatch) {
    const d = r.dispatch;
    out.push(`Dispatch: a worker process alone drained ${f0(d.backlog)} queued deliveries to the vendor stand-in at **${f0(d.perSecond)} deliveries/s** ` +
      `(${f0(d.delivered)} in ${d.seconds.toFixed(1)} s; peak RSS ${mb(d.peakRssBytes)} MB).`);
  }
  if (r.subscriptions) {
    const s = r.subscriptions;
    out.push(`Subscriptions: ${f0(s.opened)} open \`deliveryStatus\` subscriptions (${s.connections} graphql-ws connections, ${s.verifications} verifications) in one gateway process, ` +
      `all answered with their snapshot (${f0(s.withSnapshot)}); RSS ${mb(s.rssBeforeBytes)} → ${mb(s.rssAfterBytes)} MB, **${(s.bytesPerSubscription / 1024).toFixed(1)} KB per subscription** ` +
      `(JS heap ${(s.heapBytesPerSubscription / 1024).toFixed(1)} KB). Fan-out: ${f0(s.fanout.resends)} resends produced **${f0(s.fanout.eventsPerSecond)} events/s** ` +
      `delivered to subscribers (${f0(s.fanout.events)} in ${s.fanout.seconds.toFixed(1)} s; peak RSS ${mb(s.fanout.peakRssBytes)} MB).`);
  }
  out.push("");
  out.push("| target | measured | met |");
  out.push("| --- | --- | --- |");
  for (const t of r.targets) out.push(`| ${t.target} | ${t.measured}${t.note ? ` — ${t.note}` : ""} | ${t.met === null ? "not measured" : t.met ? "yes" : "**no**"} |`);
  return out.join("\n");
}

/** Issue #24's targets: gateway CPU per code and per verify, from /proc (every thread). */
export const CPU_TARGET_MS = { code: 0.6, verify: 0.35 };

/**
 * CPU per operation, the gateway beside the peer: what decides on a shared machine, where rates
 * swing with whatever else runs but the CPU an operation costs the measured process does not
 * (much). Every figure is /proc/<pid>/stat's utime + stime of the measured process, all threads.
 */
function cpuTable(r: BenchReport): string[] {
  const get = (name: string) => r.phases.find((p) => p.name === name);
  const peerSend = get("better-auth send-otp"), peerVerify = get("better-auth verify");
  const ms = (n: number | undefined) => (n === undefined ? "–" : n.toFixed(3));
  const vs = (x: number | undefined, y: PhaseRow | undefined) => (x !== undefined && y ? `${(x / y.cpuMsPerRequest).toFixed(2)}×` : "–");
  const rows: Array<[string, number | undefined, PhaseRow | undefined, string]> = [];
  const req = get("requestOtp"), half = get("requestOtp at ½ max rate"), ver = get("verifyOtp"), halfVer = get("verifyOtp at ½ max rate");
  const api = get("requestOtp, API role alone"), tn = get("{ __typename }"), floor = get("EVAL + INSERT floor");
  rows.push(["code accepted and handed to the vendor — one `serve`, full speed, until the outbox is empty", req?.cpuMsPerCode, peerSend, `≤ ${CPU_TARGET_MS.code}`]);
  rows.push(["code accepted and handed to the vendor — one `serve`, half the sustained rate", half?.cpuMsPerCode, peerSend, `≤ ${CPU_TARGET_MS.code}`]);
  rows.push(["verifyOtp — one `serve`, full speed", ver?.cpuMsPerRequest, peerVerify, `≤ ${CPU_TARGET_MS.verify}`]);
  rows.push(["verifyOtp — one `serve`, half its maximum", halfVer?.cpuMsPerRequest, peerVerify, `≤ ${CPU_TARGET_MS.verify}`]);
  rows.push(["requestOtp accepted into the outbox — API role alone (the first half of a code)", api?.cpuMsPerRequest, peerSend, ""]);
  rows.push(["delivery handed to the vendor — worker role alone draining a backlog (the second half)", r.dispatch?.cpuMsPerDelivery, undefined, ""]);
  rows.push(["`{ __typename }` (this server's floor)", tn?.cpuMsPerRequest, undefined, ""]);
  rows.push(["EVAL + INSERT floor server", floor?.cpuMsPerRequest, undefined, ""]);
  const out = [
    "| CPU ms per operation (/proc, every thread) | gateway | peer (better-auth) | gateway ÷ peer | target | met |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const [what, x, peer, target] of rows) {
    if (x === undefined) continue;
    const limit = target ? Number(target.slice(2)) : undefined;
    out.push(`| ${what} | ${ms(x)} | ${peer ? `${ms(peer.cpuMsPerRequest)} (${peer.name.replace("better-auth ", "")})` : "–"} | ${vs(x, peer)} | ${target || "–"} | ${limit === undefined ? "–" : x <= limit ? "yes" : "**no**"} |`);
  }
  out.push("");
  return out;
}

export function writeJson(path: string, r: BenchReport): void {
  writeFileSync(path, JSON.stringify(r, null, 2) + "\n");
}

/** Replaces the table inside docs/benchmark.md, between its generated-table markers. */
export function updateReadme(readmePath: string, table: string): boolean {
  const text = readFileSync(readmePath, "utf8");
  const start = "<!-- bench:table -->";
  const end = "<!-- /bench:table -->";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return false;
  writeFileSync(readmePath, text.slice(0, i + start.length) + "\n" + table + "\n" + text.slice(j));
  return true;
}
