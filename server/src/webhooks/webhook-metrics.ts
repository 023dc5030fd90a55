import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { DataSource } from "typeorm";

/** At most this many endpoint hosts get a label of their own; the rest count as "other". */
export const MAX_HOST_LABELS = 50;

/**
 * Webhook metrics per endpoint host (bounded labels: hosts are the operator's own endpoints,
 * capped at MAX_HOST_LABELS): messages sent and failed, every attempt's outcome and latency,
 * and the queue (messages waiting, oldest age) read from the outbox when scraped.
 */
export class WebhookMetrics {
  private readonly hosts = new Set<string>();
  readonly messages: Counter<"host" | "outcome">;
  readonly attempts: Counter<"host" | "outcome">;
  readonly latency: Histogram<"host">;

  constructor(registry: Registry, ds: DataSource) {
    this.messages = new Counter({
      name: "otp_webhook_messages_total", help: "Webhook messages finished per endpoint host: sent (2xx) or failed (retry window over)",
      labelNames: ["host", "outcome"], registers: [registry],
    });
    this.attempts = new Counter({
      name: "otp_webhook_attempts_total", help: "Webhook POSTs per endpoint host by outcome (DELIVERED, RETRY, FAILED)",
      labelNames: ["host", "outcome"], registers: [registry],
    });
    this.latency = new Histogram({
      name: "otp_webhook_latency_seconds", help: "Time for an endpoint to answer a webhook POST", labelNames: ["host"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    });
    new Gauge({
      name: "otp_webhook_queue", help: "Webhook messages queued (waiting or in flight) per endpoint host, and the age of the oldest in seconds",
      labelNames: ["host", "measure"], registers: [registry],
      async collect() {
        this.reset();
        try {
          const rows = await ds.query(
            `SELECT substring(ep.url from '^[a-z]+://(?:[^@/]*@)?([^/:?#]+|\\[[^]]+\\])') AS host, count(*)::int AS depth,
                    coalesce(extract(epoch FROM now() - min(m.created_at)), 0)::float AS age
               FROM webhook_messages m JOIN webhook_endpoints ep ON ep.id = m.endpoint_id
              WHERE m.status IN ('PENDING', 'SENDING')
              GROUP BY 1 ORDER BY 2 DESC LIMIT ${MAX_HOST_LABELS}`,
          );
          for (const r of rows) {
            this.set({ host: r.host ?? "other", measure: "queued" }, r.depth);
            this.set({ host: r.host ?? "other", measure: "oldest_age_seconds" }, Math.max(0, r.age));
          }
        } catch {
          // The database is down: the other metrics still answer.
        }
      },
    });
  }

  host(url: string): string {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return "other";
    }
    if (this.hosts.has(host)) return host;
    if (this.hosts.size >= MAX_HOST_LABELS) return "other";
    this.hosts.add(host);
    return host;
  }
}
