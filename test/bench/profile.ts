/**
 * `npm run bench:profile -- [requestOtp|verifyOtp|typename|floor|dispatch] [--role api|all] [--duration S] [--rate R]`:
 * one gateway process under one scenario with V8's CPU profiler on, for finding where a phase of
 * `npm run bench` spends its time. Writes a .cpuprofile per thread under bench-results/profiles
 * (open in Chrome DevTools) and prints the CPU ms per request measured outside the profiler.
 */
import { mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { countQueued, createBenchDatabase, queueTimings, waitForEmptyOutbox } from "./bench-db";
import { forkChild } from "./ipc";
import type { RunResult } from "./load-process";
import { cpuSecondsOf } from "./rss";
import { TEST_REDIS_URL } from "../helpers/test-database";
import { ROOT, gatewayEnv, log, startGateway } from "./bench-setup";

async function main(argv: string[]) {
  let scenario = "requestOtp", role = "api", durationS = 10, rate: number | undefined, profile = true, seed = 20_000;
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === "--role") role = argv[++i];
    else if (f === "--duration") durationS = Number(argv[++i]);
    else if (f === "--rate") rate = Number(argv[++i]);
    else if (f === "--no-profile") profile = false;
    else if (f === "--seed") seed = Number(argv[++i]);
    else scenario = f;
  }
  mkdirSync(join(ROOT, "bench-results/profiles"), { recursive: true });
  const db = await createBenchDatabase();
  const vendor = await forkChild<{ url: string }>("vendor-process");
  const load = await forkChild("load-process");
  const env = gatewayEnv(db.url, vendor.ready.url, "info");
  // The app is made by a role-all process first (an api-role process doesn't create apps), then the measured one starts.
  const maker = await startGateway(env, "all", true, false);
  const apiKey = maker.ready.apiKey!;
  let gw = maker;
  let measured: number | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    if (scenario === "verifyOtp") {
      await load.call("configure", { gateway: maker.ready.url, apiKey, vendor: vendor.ready.url });
      await load.call("run", { scenario: "requestOtp", connections: 32, durationS: 3600, amount: seed });
      await load.call("fillCodes", { n: seed - 2_000 });
    }
    if (scenario === "floor") {
      // nothing to restart: the gateway only made the app
    } else if (role !== "all") {
      await maker.stop();
      gw = await startGateway(env, role, false, profile);
    } else if (profile) {
      await maker.stop();
      gw = await startGateway(env, "all", false, profile);
    }
    let floorUrl: string | undefined;
    if (scenario === "floor") {
      // The EVAL + INSERT floor server profiled instead of the gateway.
      const floorDb = await createBenchDatabase();
      const floor = await forkChild<{ url: string; pid: number }>("floor-process", { DATABASE_URL: floorDb.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-bench-floor-${randomBytes(3).toString("hex")}:` },
        profile ? ["--cpu-prof", "--cpu-prof-dir", join(ROOT, "bench-results/profiles")] : []);
      floorUrl = floor.ready.url;
      measured = floor.ready.pid;
      cleanups.push(async () => { await floor.stop(); await floorDb.drop(); });
    }
    // Retargeted, not reconfigured: configure would drop the codes collected for verifyOtp.
    if (scenario === "verifyOtp") await load.call("retarget", { gateway: gw.ready.url });
    else await load.call("configure", { gateway: gw.ready.url, apiKey, vendor: vendor.ready.url, floor: floorUrl });
    if (scenario !== "verifyOtp") await load.call("run", { scenario: scenario === "dispatch" ? "requestOtp" : scenario, connections: 32, durationS: 2 });
    // The warm-up's backlog delivered before the measured run (a role-all gateway would deliver it on its time).
    if (role === "all") await waitForEmptyOutbox(db.url, 60_000);
    if (scenario === "dispatch") {
      // A backlog queued by the API role, then a worker-role process (profiled) drains it alone.
      await load.call("run", { scenario: "requestOtp", connections: 32, durationS: 3600, amount: 10_000 });
      await gw.stop();
      const queued = await countQueued(db.url, true);
      gw = await startGateway(env, "worker", false, profile);
      const cpu0 = cpuSecondsOf(gw.ready.pid);
      const seconds = await waitForEmptyOutbox(db.url, 120_000, 100);
      log(`dispatch: ${queued} deliveries in ${seconds.toFixed(1)} s (${Math.round(queued / seconds)}/s), ${(((cpuSecondsOf(gw.ready.pid) - cpu0) * 1000) / queued).toFixed(3)} CPU ms/delivery`);
      return;
    }
    measured ??= gw.ready.pid;
    const cpu0 = cpuSecondsOf(measured);
    const t0 = new Date();
    const r = await load.call<RunResult>("run", { scenario, connections: 32, durationS, rate });
    const t1 = new Date();
    const cpuMs = ((cpuSecondsOf(measured) - cpu0) * 1000) / Math.max(1, r.requests);
    if (r.exhausted) log("  (ran out of delivered codes before the end)");
    log(`${scenario} (${role}): ${Math.round(r.throughput)} req/s, p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99} ms, ${cpuMs.toFixed(3)} CPU ms/req, errors ${JSON.stringify(r.errors)}`);
    if (role === "all" && scenario === "requestOtp") {
      const drained = await waitForEmptyOutbox(db.url, 60_000);
      const perCode = ((cpuSecondsOf(measured) - cpu0) * 1000) / Math.max(1, r.ok);
      const q = await queueTimings(db.url, t0, t1);
      log(`  outbox empty ${drained.toFixed(1)} s after: ${perCode.toFixed(3)} CPU ms per code accepted and handed to the vendor; queued → claimed p50 ${q.claimP50Ms.toFixed(1)} p99 ${q.claimP99Ms.toFixed(1)} ms, → handed to the vendor p99 ${q.handedP99Ms.toFixed(1)} ms`);
    }
  } finally {
    for (const c of cleanups) await c().catch(() => undefined);
    await gw.stop().catch(() => undefined);
    await load.stop();
    await vendor.stop();
    await db.drop();
  }
}

main(process.argv.slice(2)).then(() => process.exit(0), (err) => {
  process.stderr.write(`profile failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
