import { join } from "node:path";
import type { DestinationStream } from "pino";
import { createApp, type AppOptions, type RunningApp } from "../app";
import { workerPlacement, type Config, type Role } from "../config/config";
import { WorkerThreadSupervisor } from "./worker-thread";

export interface ServeOptions {
  logStream?: DestinationStream;
  /** Where the worker thread's logs go (a file); its stdout otherwise. */
  threadLogFile?: string;
  /** The environment the worker thread loads its configuration from (the process's by default). */
  env?: Record<string, string | undefined>;
  /** More of createApp's options (tests of the main thread). */
  app?: Omit<AppOptions, "role" | "logStream" | "workerThread" | "inWorkerThread">;
}

export interface ServeProcess {
  app: RunningApp;
  /** The supervised worker thread, when the worker runs in one (WORKER_THREAD, workerPlacement). */
  thread?: WorkerThreadSupervisor;
  stop(): Promise<void>;
}

/**
 * One `otp-gateway serve` process. Role all with Redis: the API and dashboard on the main
 * thread, the delivery and webhook workers on a supervised worker thread (two event loops,
 * two cores, one process). Role all without Redis, or WORKER_THREAD=inline: everything on one
 * event loop, as before. Roles api and worker: that role alone.
 */
export async function startServeProcess(config: Config, role: Role, options: ServeOptions = {}): Promise<ServeProcess> {
  const placement = workerPlacement(config, role);
  if (placement !== "thread") {
    const app = await createApp(config, { ...options.app, role, logStream: options.logStream });
    return { app, stop: () => app.stop() };
  }
  // The supervisor logs through the API's logger (given at start); the thread's own lines come from its own logger.
  const thread = new WorkerThreadSupervisor({
    entry: join(__dirname, "worker-thread-entry.js"),
    data: { env: options.env ?? process.env, logFile: options.threadLogFile },
  });
  const app = await createApp(config, { ...options.app, role: "api", logStream: options.logStream, workerThread: thread });
  return { app, thread, stop: () => app.stop() };
}
