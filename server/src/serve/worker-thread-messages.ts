import type { MetricObjectWithValues, MetricValue } from "prom-client";
import type { ProviderHealth } from "../providers/circuit-breaker";

/** What `serve` hands its worker thread: the environment to load its configuration from, and the database the API opened. */
export interface WorkerThreadData {
  env: Record<string, string | undefined>;
  /** The database the main thread opened and migrated (the embedded one's URL included). */
  databaseUrl: string;
  /** Where the thread's logs go: a file path, or stdout when absent (the bench writes them to a file). */
  logFile?: string;
}

/** Main → thread. */
export type ToWorkerThread = { type: "metrics"; id: number } | { type: "stop" };

/** Thread → main. */
export type FromWorkerThread =
  | { type: "ready" }
  | { type: "metrics"; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] }
  /** The thread's circuit breakers, sent when ready and then every second: the dashboard's providers page shows them. */
  | { type: "health"; providers: ProviderHealth[] };
