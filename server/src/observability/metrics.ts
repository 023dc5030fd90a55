import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DataSource } from "typeorm";

/** Prometheus metrics of one gateway process (a registry per process, so tests can run several). */
export class Metrics {
  readonly registry = new Registry();
  readonly operations = new Counter({
    name: "otp_operations_total", help: "Client API operations by name and outcome", labelNames: ["operation", "outcome"], registers: [this.registry],
  });
  readonly deliveryAttempts = new Counter({
    name: "otp_delivery_attempts_total", help: "Hand-offs to providers by provider, channel and outcome", labelNames: ["provider", "channel", "outcome"], registers: [this.registry],
  });
  readonly sendLatency = new Histogram({
    name: "otp_send_latency_seconds", help: "Time for a provider to accept a message", labelNames: ["provider", "channel"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly operationLatency = new Histogram({
    name: "otp_operation_duration_seconds", help: "Client API operation latency", labelNames: ["operation"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1], registers: [this.registry],
  });

  constructor(ds: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: "otp_process_" });
    const registry = this.registry;
    new Gauge({
      name: "otp_delivery_queue_depth", help: "Deliveries waiting to be sent (QUEUED), and the age of the oldest in seconds", labelNames: ["measure"],
      registers: [registry],
      async collect() {
        const [row] = await ds.query(
          `SELECT count(*)::int AS depth, coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float AS age
             FROM deliveries WHERE status = 'QUEUED' AND next_attempt_at <= now()`,
        );
        this.set({ measure: "depth" }, row.depth);
        this.set({ measure: "oldest_age_seconds" }, Math.max(0, row.age));
      },
    });
  }
}
