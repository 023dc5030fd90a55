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
  queue?: QueueTimings;
  /** Seconds the outbox took to empty after the phase (one `serve` process accepts faster than it delivers). */
  drainSeconds?: number;
}

/** What a phase's process kept up with: its requests over the phase plus the time its outbox then took to empty. */
export const sustainedRate = (p: PhaseRow) => p.result.requests / (p.result.durationS + (p.drainSeconds ?? 0));

export interface DispatchResult { backlog: number; delivered: number; seconds: number; perSecond: number; peakRssBytes: number }
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
