/**
 * `npm run bench:subscriptions`: the benchmark's subscription phase alone (run.ts), for work on
 * memory — one `serve` gateway (API thread + worker thread, as the bench starts it), N
 * `deliveryStatus` subscriptions opened, then the fan-out. Prints the gateway's RSS idle, with
 * every subscription open and at the fan-out's peak, and each figure's main-thread heap.
 *
 *   npm run bench:subscriptions -- [--subscriptions N] [--duration S] [--snapshots DIR] [--env K=V ...]
 *
 * --snapshots writes main-thread heap snapshots (idle and open) there, to diff what a
 * subscription holds; --env passes settings to the gateway (WORKER_THREAD=inline, NODE_OPTIONS=…).
 */
import { join } from "node:path";
import { rmSync } from "node:fs";
import { createBenchDatabase } from "./bench-db";
import { forkChild, type Child } from "./ipc";
import { RssSampler, rssOf } from "./rss";
import { gatewayEnv, log, sleep, startGateway } from "./bench-setup";

const MB = (b: number) => Math.round(b / 2 ** 20);

async function main() {
  const argv = process.argv.slice(2);
  let subscriptions = 10_000;
  let durationS = 10;
  let snapshots: string | undefined;
  const extra: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === "--subscriptions") subscriptions = Number(argv[++i]);
    else if (flag === "--duration") durationS = Number(argv[++i]);
    else if (flag === "--snapshots") snapshots = argv[++i];
    else if (flag === "--env") {
      const [k, ...v] = argv[++i].split("=");
      extra[k] = v.join("=");
    } else throw new Error(`unknown option ${flag}`);
  }
  const db = await createBenchDatabase();
  const children: Child[] = [];
  let dataDir: string | undefined;
  try {
    const vendor = await forkChild<{ url: string }>("vendor-process");
    children.push(vendor);
    const env = gatewayEnv(db.url, vendor.ready.url, "info", extra);
    dataDir = env.DATA_DIR;
    const gw = await startGateway(env, "all", true, false);
    children.push(gw);
    const subs = await forkChild("subscribers-process");
    children.push(subs);
    const apiKey = gw.ready.apiKey!;
    const idle = await gw.call<NodeJS.MemoryUsage>("gc");
    await sleep(500);
    const rssIdle = rssOf(gw.ready.pid);
    if (snapshots) await gw.call("heapSnapshot", { path: join(snapshots, "idle.heapsnapshot") });
    const opened = await subs.call("open", { gateway: gw.ready.url, apiKey, verifications: 100, subscriptions, connections: 200 });
    if (opened.errors) log(`${opened.errors} subscription errors; the first: ${opened.firstError}`);
    await sleep(1000);
    const open = await gw.call<NodeJS.MemoryUsage>("gc");
    await sleep(500);
    const rssOpen = rssOf(gw.ready.pid);
    if (snapshots) await gw.call("heapSnapshot", { path: join(snapshots, "open.heapsnapshot") });
    const sampler = new RssSampler(gw.ready.pid);
    const fan = await subs.call("fanout", { gateway: gw.ready.url, apiKey, durationS, concurrency: 4 });
    const peak = sampler.peak();
    sampler.stop();
    const after = await gw.call<NodeJS.MemoryUsage>("memory");
    await subs.call("close");
    const result = {
      pid: gw.ready.pid, env: extra, opened: opened.opened, withSnapshot: opened.withSnapshot, events: fan.events, eventsPerSecond: Math.round(fan.eventsPerSecond),
      rssMb: { idle: MB(rssIdle), open: MB(rssOpen), fanoutPeak: MB(peak) },
      mainHeapUsedMb: { idle: MB(idle.heapUsed), open: MB(open.heapUsed), afterFanout: MB(after.heapUsed) },
      mainHeapTotalMb: { idle: MB(idle.heapTotal), open: MB(open.heapTotal), afterFanout: MB(after.heapTotal) },
      externalMb: { idle: MB(idle.external), open: MB(open.external) }, arrayBuffersMb: { idle: MB(idle.arrayBuffers), open: MB(open.arrayBuffers) },
    };
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`failed: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
