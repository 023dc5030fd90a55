import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from "prom-client";
import type { DataSource } from "typeorm";

/** Another registry's metrics, as JSON: a `serve` process's worker thread (serve/worker-thread.ts). */
export type MetricsSource = () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;

/**
 * Prometheus metrics of one gateway process (a registry per process, so tests can run several).
 * Labels stay low-cardinality: operation names, contract codes, provider/channel names and
 * ISO country codes — never an app id, destination or verification id.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly operations = new Counter({
    name: "otp_operations_total", help: "Client API operations by name and outcome (ok, or the error code)", labelNames: ["operation", "outcome"], registers: [this.registry],
  });
  readonly operationLatency = new Histogram({
    name: "otp_operation_duration_seconds", help: "Client API operation latency, from request to response", labelNames: ["operation"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: "otp_http_requests_total", help: "HTTP requests by route and status class", labelNames: ["route", "status"], registers: [this.registry],
  });
  readonly deliveryAttempts = new Counter({
    name: "otp_delivery_attempts_total", help: "Hand-offs to providers by provider, channel, destination country and outcome (SENT, RETRY, FAILOVER, FAILED)",
    labelNames: ["provider", "channel", "country", "outcome"], registers: [this.registry],
  });
  readonly sendLatency = new Histogram({
    name: "otp_send_latency_seconds", help: "Time for a provider to accept a message", labelNames: ["provider", "channel"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly queueDelay = new Histogram({
    name: "otp_delivery_queue_delay_seconds", help: "Time a delivery waited between becoming due and being claimed by a worker", labelNames: ["channel"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [this.registry],
  });
  readonly verifyOutcomes = new Counter({
    name: "otp_verify_outcomes_total", help: "verifyOtp answers by resulting status (APPROVED, PENDING after a wrong code, MAX_ATTEMPTS_REACHED, EXPIRED, CANCELED)",
    labelNames: ["outcome"], registers: [this.registry],
  });
  readonly totpOutcomes = new Counter({
    name: "otp_totp_verify_outcomes_total", help: "verifyTotp answers by outcome (APPROVED, PENDING after a wrong or replayed code, MAX_ATTEMPTS_REACHED, RATE_LIMITED)",
    labelNames: ["outcome"], registers: [this.registry],
  });
  readonly limitRefusals = new Counter({
    name: "otp_limit_refusals_total", help: "Requests refused by a rate limit or abuse rule, by rule name", labelNames: ["rule"], registers: [this.registry],
  });

  readonly simSwapChecks = new Counter({
    name: "otp_sim_swap_checks_total",
    help: "SIM-swap checks before a phone code by result (SWAPPED, NOT_SWAPPED, UNKNOWN: the service failed or timed out) and the app's action (flag, refuse)",
    labelNames: ["result", "action"], registers: [this.registry],
  });
  readonly simSwapLatency = new Histogram({
    name: "otp_sim_swap_check_duration_seconds", help: "Time a SIM-swap check took, token included (the deadline is SIM_SWAP_TIMEOUT_MS)", labelNames: ["result"],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 5], registers: [this.registry],
  });

  readonly unmatchedCallbacks = new Counter({
    name: "otp_status_callbacks_unmatched_total", help: "Authentic vendor status callbacks naming no known message: kept for a late match (stored) or over the cap (dropped)",
    labelNames: ["provider", "outcome"], registers: [this.registry],
  });

  readonly retentionDeleted = new Counter({
    name: "otp_retention_deleted_rows_total", help: "Rows deleted by the retention job (RETENTION_DAYS), by table", labelNames: ["table"], registers: [this.registry],
  });
  readonly retentionLastRun = new Gauge({
    name: "otp_retention_last_run_timestamp_seconds", help: "When the retention job last completed a run (Unix time): alert when it falls behind", registers: [this.registry],
  });
  readonly attemptRollupLastPass = new Gauge({
    name: "otp_attempt_rollup_last_pass_timestamp_seconds", help: "When the attempts' hourly rollup last completed a pass (Unix time): summaries read unrolled hours live, slower, while it falls behind", registers: [this.registry],
  });

  readonly limitWritesDeferred = new Counter({
    name: "otp_limit_writes_deferred_total",
    help: "Limit writes after a committed verify outcome that failed at once: queued for retry, retried later, or dropped (too many waiting, or too old)",
    labelNames: ["outcome"], registers: [this.registry],
  });

  /** Merges another registry's metrics into what /metrics serves (counters and histograms summed). */
  addSource(source: MetricsSource): void {
    this.sources.push(source);
  }

  /** The Prometheus text of this registry and its sources. */
  async text(): Promise<string> {
    if (!this.sources.length) return this.registry.metrics();
    const parts = await Promise.all([this.registry.getMetricsAsJSON(), ...this.sources.map((s) => s().catch(() => []))]);
    return AggregatorRegistry.aggregate(parts).metrics();
  }

  /** The limit writes waiting for the limiter to come back, as a gauge read at scrape time. */
  watchLimitWrites(writes: { pending: number }): void {
    new Gauge({
      name: "otp_limit_writes_pending", help: "Limit writes waiting for the limiter (Redis) to be reachable again", registers: [this.registry],
      collect() {
        this.set(writes.pending);
      },
    });
  }

  private readonly sources: MetricsSource[] = [];

  /** `processMetrics: false` in a worker thread: CPU, memory and handles are the process's, counted once by the main thread. */
  constructor(ds: DataSource, options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "otp_" });
    const registry = this.registry;
    new Gauge({
      name: "otp_delivery_queue_depth", help: "Deliveries waiting to be sent (QUEUED), and the age of the oldest in seconds", labelNames: ["measure"],
      registers: [registry],
      // Read from Postgres by every thread alike: merged, one reading, not their sum.
      aggregator: "max",
      async collect() {
        try {
          const [row] = await ds.query(
            `SELECT count(*)::int AS depth, coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float AS age
               FROM deliveries WHERE status = 'QUEUED' AND next_attempt_at <= now()`,
          );
          this.set({ measure: "depth" }, row.depth);
          this.set({ measure: "oldest_age_seconds" }, Math.max(0, row.age));
        } catch {
          // The database is down: keep serving every other metric (that is when operators look).
          this.reset();
        }
      },
    });
  }
}
