/**
 * The measured process: one gateway built by createApp (the same code `otp-gateway serve`
 * runs), configured from the environment the orchestrator passes. Roles all, api or worker.
 * With BENCH_CREATE_APP=1 it creates the bench app and reports its key.
 */
import "reflect-metadata";
import "./gateway-tracing"; // first: before the modules tracing instruments load
import { createWriteStream } from "node:fs";
import { writeHeapSnapshot } from "node:v8";
import { startServeProcess } from "../../server/src/serve/serve-process";
import { limitHeapGrowth } from "../../server/src/heap-growth";
import type { Role } from "../../server/src/config/config";
import { loadConfig } from "../../server/src/config/config";
import { BENCH_APP } from "./bench-app";
import { serveParent } from "./ipc";

async function main() {
  limitHeapGrowth(); // as `otp-gateway serve` does
  const role = (process.env.BENCH_ROLE ?? "all") as Role;
  // Logs go to a file, as a production process's stdout goes to a collector: written, not dropped.
  const logStream = createWriteStream(process.env.BENCH_LOG_FILE ?? "/dev/null", { flags: "a" });
  // The same composition `otp-gateway serve` runs: role all puts the worker on its own thread (with Redis).
  const served = await startServeProcess(loadConfig(process.env), role, { logStream, threadLogFile: process.env.BENCH_LOG_FILE?.replace(/\.log$/, "-thread.log") });
  const app = served.app;
  let apiKey: string | null = null;
  if (process.env.BENCH_CREATE_APP === "1") apiKey = (await app.services.apps.create(BENCH_APP)).apiKey;
  serveParent(
    { url: app.url, apiKey, pid: process.pid },
    {
      gc: () => {
        (globalThis as { gc?: () => void }).gc?.();
        return process.memoryUsage();
      },
      memory: () => process.memoryUsage(),
      /** For investigating memory per subscription: a heap snapshot written next to the logs. */
      heapSnapshot: ({ path }: { path: string }) => writeHeapSnapshot(path),
    },
    async () => {
      await served.stop();
      await new Promise((r) => logStream.end(r));
    },
  );
}

main().catch((err) => {
  process.stderr.write(`gateway failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
