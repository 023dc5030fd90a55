/**
 * `npm run soak -- --minutes N [--rate R] [--connections C]`: holds a steady request → verify
 * loop against one gateway process and reports, minute by minute, its throughput, latency,
 * errors and memory, and the drift from the first minute to the last. A leak shows as RSS or
 * heap that keeps climbing; a slow degradation (a growing table scanned per request, a queue
 * falling behind) as p99 that does.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createBenchDatabase } from "./bench-db";
import { ROOT, gatewayEnv, log, startGateway } from "./bench-setup";
import { forkChild, type Child } from "./ipc";
import type { RunResult } from "./load-process";
import { RssSampler, rssOf } from "./rss";

interface SoakArgs { minutes: number; rate: number; connections: number; minuteSeconds: number; out: string }

function parse(argv: string[]): SoakArgs {
  const a: SoakArgs = { minutes: 10, rate: 200, connections: 16, minuteSeconds: 60, out: "bench-results/soak-latest.json" };
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    switch (argv[i]) {
      case "--minutes": a.minutes = v; i++; break;
      case "--rate": a.rate = v; i++; break;
      case "--connections": a.connections = v; i++; break;
      case "--minute-seconds": a.minuteSeconds = v; i++; break; // shorter "minutes" to try the harness out
      case "--out": a.out = argv[++i]; break;
      default: throw new Error(`unknown option ${argv[i]}: npm run soak -- --minutes N [--rate R] [--connections C]`);
    }
  }
  if (!(a.minutes > 0 && a.rate > 0 && a.connections > 0 && a.minuteSeconds > 0)) throw new Error("--minutes, --rate, --connections need positive numbers");
  return a;
}

interface Minute { minute: number; throughput: number; p50: number; p99: number; errors: number; rssEndMb: number; rssPeakMb: number; heapUsedMb: number; codesWaiting: number }

async function main(a: SoakArgs) {
  const db = await createBenchDatabase();
  const children: Child[] = [];
  let dataDir: string | undefined;
  const minutes: Minute[] = [];
  try {
    const vendor = await forkChild<{ url: string }>("vendor-process");
    children.push(vendor);
    const load = await forkChild("load-process");
    children.push(load);
    const env = gatewayEnv(db.url, vendor.ready.url, "info");
    dataDir = env.DATA_DIR;
    const gw = await startGateway(env, "all", true, false);
    children.push(gw);
    await load.call("configure", { gateway: gw.ready.url, apiKey: gw.ready.apiKey, vendor: vendor.ready.url });
    // The loop verifies codes sent a moment earlier: start with some in hand.
    await load.call("run", { scenario: "requestOtp", connections: a.connections, durationS: 600, amount: a.connections * 8 });
    await load.call("fillCodes", { n: a.connections * 4 });
    const sampler = new RssSampler(gw.ready.pid);
    log(`soak: ${a.minutes} × ${a.minuteSeconds} s of the request → verify loop at ${a.rate} req/s, ${a.connections} connections`);
    for (let m = 1; m <= a.minutes; m++) {
      sampler.reset();
      const r = await load.call<RunResult>("run", { scenario: "loop", connections: a.connections, durationS: a.minuteSeconds, rate: a.rate });
      const mem = await gw.call<NodeJS.MemoryUsage>("memory");
      const pool = await load.call<{ waiting: number }>("pool");
      const row: Minute = {
        minute: m, throughput: r.throughput, p50: r.latencyMs.p50, p99: r.latencyMs.p99, errors: Object.values(r.errors).reduce((x, y) => x + y, 0),
        rssEndMb: rssOf(gw.ready.pid) / 2 ** 20, rssPeakMb: sampler.peak() / 2 ** 20, heapUsedMb: mem.heapUsed / 2 ** 20, codesWaiting: pool.waiting,
      };
      minutes.push(row);
      log(`minute ${m}: ${row.throughput.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, errors ${row.errors}, RSS ${row.rssEndMb.toFixed(0)} MB, heap ${row.heapUsedMb.toFixed(0)} MB`);
    }
    sampler.stop();
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  const first = minutes[0];
  const last = minutes[minutes.length - 1];
  const drift = { rssMb: last.rssEndMb - first.rssEndMb, heapMb: last.heapUsedMb - first.heapUsedMb, p50Ms: last.p50 - first.p50, p99Ms: last.p99 - first.p99 };
  const lines = [
    `Soak: ${a.minutes} × ${a.minuteSeconds} s, request → verify loop at ${a.rate} req/s over ${a.connections} connections, one gateway process (role all).`,
    "",
    "| minute | req/s | p50 ms | p99 ms | errors | RSS MB (end / peak) | heap MB |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...minutes.map((m) => `| ${m.minute} | ${m.throughput.toFixed(0)} | ${m.p50} | ${m.p99} | ${m.errors} | ${m.rssEndMb.toFixed(0)} / ${m.rssPeakMb.toFixed(0)} | ${m.heapUsedMb.toFixed(0)} |`),
    "",
    `Drift, first → last minute: RSS ${sign(drift.rssMb)} MB, heap ${sign(drift.heapMb)} MB, p50 ${sign(drift.p50Ms)} ms, p99 ${sign(drift.p99Ms)} ms.`,
  ];
  process.stdout.write("\n" + lines.join("\n") + "\n");
  mkdirSync(join(ROOT, "bench-results"), { recursive: true });
  writeFileSync(resolve(ROOT, a.out), JSON.stringify({ ranAt: new Date().toISOString(), settings: a, minutes, drift }, null, 2) + "\n");
  log(`wrote ${a.out}`);
}

const sign = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(1)}`;

main(parse(process.argv.slice(2))).then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`soak failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
