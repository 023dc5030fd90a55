import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { ProviderHealth } from "../providers/circuit-breaker";
import type { FromWorkerThread, ToWorkerThread, WorkerThreadData } from "./worker-thread-messages";

export type WorkerThreadState = "starting" | "running" | "restarting" | "stopped";

export interface SupervisorOptions {
  /** The thread's script (worker-thread-entry.js beside this file; tests give their own). */
  entry: string;
  data: Omit<WorkerThreadData, "databaseUrl">;
  /** First restart delay after a crash; doubles per consecutive crash up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long a started thread may take to say it is ready. */
  startTimeoutMs?: number;
  /** A thread that ran this long before it exited starts the backoff over (a crash after a day is not the tenth in a row). */
  stableAfterMs?: number;
}

/** See spawn(): caps the worker thread's young generation (scavenged space), not its heap. */
export const THREAD_YOUNG_GENERATION_MB = 16;

/**
 * Runs `serve`'s worker in a thread and keeps it running: a thread that exits or throws
 * without being told to stop is logged and started again, after a delay that doubles per
 * consecutive crash (1 s to 30 s; a thread that ran a minute starts the count over), so a
 * worker that can't start or keeps crashing doesn't spin. Nothing is lost
 * meanwhile: accepted deliveries wait in the Postgres outbox, and a crashed thread's claims
 * return when their lease lapses. stop() asks the thread to drain (its in-flight sends finish
 * within SHUTDOWN_GRACE_MS) and waits for it, then ends it outright if it hangs.
 */
export class WorkerThreadSupervisor {
  private worker?: Worker;
  private current: WorkerThreadState = "stopped";
  private restartTimer?: NodeJS.Timeout;
  private crashes = 0;
  private nextId = 1;
  private databaseUrl = "";
  private readonly waiting = new Map<number, (m: MetricObjectWithValues<MetricValue<string>>[]) => void>();
  /** The running thread's circuit breakers as it last reported them; undefined while no thread runs. */
  providerHealth?: ProviderHealth[];
  /** Threads started so far (restarts included): for operators' logs and tests. */
  starts = 0;

  /** The process's logger, given at start (the API's, so both halves write through one stream). */
  private log!: Logger;

  constructor(private readonly options: SupervisorOptions) {}

  get state(): WorkerThreadState {
    return this.current;
  }

  /** Starts the thread on the database the main thread opened, and waits until it is ready; throws when the first start fails. */
  async start(databaseUrl: string, log: Logger): Promise<void> {
    this.databaseUrl = databaseUrl;
    this.log = log;
    this.current = "starting";
    await this.spawn();
  }

  /** The thread's metrics, for the main thread's /metrics; none while it is down or slow to answer. */
  metrics(timeoutMs = 2000): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    const w = this.worker;
    if (!w || this.current !== "running") return Promise.resolve([]);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.waiting.delete(id), resolve([])), timeoutMs);
      this.waiting.set(id, (m) => (clearTimeout(timer), resolve(m)));
      w.postMessage({ type: "metrics", id } satisfies ToWorkerThread);
    });
  }

  async stop(graceMs: number): Promise<void> {
    clearTimeout(this.restartTimer);
    const w = this.worker;
    this.current = "stopped";
    this.worker = undefined;
    this.providerHealth = undefined;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once("exit", () => resolve()));
    w.postMessage({ type: "stop" } satisfies ToWorkerThread);
    const hung = setTimeout(() => {
      this.log.error({ graceMs }, "worker thread did not stop in time; ending it");
      void w.terminate();
    }, graceMs + 5000);
    await exited;
    clearTimeout(hung);
  }

  private spawn(): Promise<void> {
    this.starts++;
    const w = new Worker(this.options.entry, {
      workerData: { ...this.options.data, databaseUrl: this.databaseUrl } satisfies WorkerThreadData,
      // A young generation of at most 16 MB: the thread's short-lived garbage is one delivery's worth, and
      // V8's default let it grow to ~48 MB, ~20 MB of a serve process's idle RSS (bench, Dec 2026). No old-space ceiling.
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    this.worker = w;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let readyAt = 0;
      const startTimer = setTimeout(() => {
        if (ready) return;
        this.log.error("worker thread did not become ready in time; restarting it");
        void w.terminate();
      }, this.options.startTimeoutMs ?? 60_000);
      w.on("message", (m: FromWorkerThread) => {
        if (m.type === "ready") {
          ready = true;
          readyAt = Date.now();
          clearTimeout(startTimer);
          if (this.worker === w) this.current = "running";
          this.log.info({ threadId: w.threadId }, "worker thread running");
          resolve();
        } else if (m.type === "health") {
          if (this.worker === w) this.providerHealth = m.providers;
        } else if (m.type === "metrics") {
          this.waiting.get(m.id)?.(m.metrics);
          this.waiting.delete(m.id);
        }
      });
      w.on("error", (err) => this.log.error({ err, threadId: w.threadId }, "worker thread failed"));
      w.on("exit", (code) => {
        clearTimeout(startTimer);
        if (this.worker !== w) return; // told to stop, or replaced
        this.worker = undefined;
        this.providerHealth = undefined;
        const firstStart = this.starts === 1 && !ready;
        if (firstStart) return reject(new Error(`the worker thread exited with code ${code} before it was ready`));
        if (ready && Date.now() - readyAt > (this.options.stableAfterMs ?? 60_000)) this.crashes = 0;
        this.crashes++;
        const delay = Math.min(this.options.maxRestartDelayMs ?? 30_000, (this.options.restartDelayMs ?? 1000) * 2 ** (this.crashes - 1));
        this.current = "restarting";
        this.log.error({ code, restartInMs: delay }, "worker thread exited unexpectedly; starting another");
        this.restartTimer = setTimeout(() => {
          this.spawn().catch(() => undefined); // a failed restart exits again, and is retried from its exit handler
        }, delay);
        this.restartTimer.unref();
        if (!ready) resolve(); // a restart that failed: the promise of this spawn is nobody's any more
      });
    });
  }
}
