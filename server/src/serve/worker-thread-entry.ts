/**
 * The worker thread of `otp-gateway serve`: the delivery worker, the webhook worker and the
 * retention job (createApp's `worker` role) on their own event loop, so they use the machine's
 * other core instead of competing with the API for one. It shares nothing with the main
 * thread but Postgres and Redis (wake-ups and delivery events travel as they would between
 * two processes), serves no HTTP (the main thread's /metrics includes this thread's metrics,
 * asked for over the message port) and stops when told, draining its in-flight sends.
 */
import "reflect-metadata";
import { createWriteStream } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { tracingConfig } from "../config/tracing-config";
import { startTracing, stopTracing } from "../observability/tracing";
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from "./worker-thread-messages";

const data = workerData as WorkerThreadData;
/** How often the thread tells the API thread its circuit states (the dashboard reads them). */
const HEALTH_EVERY_MS = 1000;
const port = parentPort!;
const post = (m: FromWorkerThread) => port.postMessage(m);

async function main(): Promise<void> {
  // Before the modules tracing instruments load in this isolate, as tracing-bootstrap does on the main thread.
  startTracing(tracingConfig(data.env));
  // Required only now, after tracing has patched what they load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require("../app") as typeof import("../app");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadConfig } = require("../config/config") as typeof import("../config/config");
  const config = loadConfig({ ...data.env, DATABASE_URL: data.databaseUrl });
  const logStream = data.logFile ? createWriteStream(data.logFile, { flags: "a" }) : undefined;
  const app = await createApp(config, { role: "worker", inWorkerThread: true, logStream });
  let stopping = false;
  port.on("message", (m: ToWorkerThread) => {
    if (m.type === "metrics") {
      app.services.metrics.registry.getMetricsAsJSON().then(
        (metrics) => post({ type: "metrics", id: m.id, metrics }),
        () => post({ type: "metrics", id: m.id, metrics: [] }),
      );
    } else if (m.type === "stop" && !stopping) {
      stopping = true;
      clearInterval(healthTimer);
      app.stop().then(stopTracing).finally(async () => {
        if (logStream) await new Promise((r) => logStream.end(r));
        // The supervisor waits for the thread's exit, which closing the port lets happen.
        port.close();
      });
    }
  });
  // The breakers that matter are this thread's: the API thread's dashboard shows what they say.
  const reportHealth = () => post({ type: "health", providers: app.services.registry.providerHealth() });
  reportHealth();
  const healthTimer = setInterval(reportHealth, HEALTH_EVERY_MS);
  post({ type: "ready" });
}

main().catch((err) => {
  // The supervisor logs the exit and starts another thread; the error itself goes to stderr.
  process.stderr.write(`worker thread failed to start: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
