import { createServer } from "node:http";
import type { FastifyInstance } from "fastify";
import type { DataSource } from "typeorm";
import type { Metrics } from "../observability/metrics";
import type { RedisClient } from "../redis";
import { bearerMatches, type MetricsOnPort } from "./metrics-access";

/**
 * /healthz (the process is up), /readyz (its database answers, and Redis when configured), and
 * /metrics as `metricsAccess` says (metrics-access.ts): open, behind METRICS_TOKEN, or off (404).
 */
export function registerHealthRoutes(fastify: FastifyInstance, ds: DataSource, redis: RedisClient | undefined, metrics: Metrics, role: string, metricsAccess: MetricsOnPort, workerThread?: { state: string }) {
  fastify.get("/healthz", async () => ({ status: "ok", role }));
  fastify.get("/readyz", async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await ds.query("SELECT 1");
      checks.database = "ok";
    } catch {
      checks.database = "unreachable";
    }
    if (redis) checks.redis = redis.isReady ? "ok" : "unreachable";
    if (workerThread) checks.worker = workerThread.state === "running" ? "ok" : workerThread.state;
    // The worker's state is reported, not required: while it restarts, codes are still accepted and wait in the outbox.
    const ready = Object.entries(checks).every(([name, v]) => name === "worker" || v === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });
  if (metricsAccess.mode === "off") return;
  fastify.get("/metrics", async (req, reply) => {
    // A wrong or missing token looks like no route at all: 404, as when metrics are off.
    if (metricsAccess.mode === "token" && !bearerMatches(req.headers.authorization, metricsAccess.token)) {
      return reply.callNotFound();
    }
    reply.header("content-type", metrics.registry.contentType);
    return metrics.text();
  });
}

/**
 * /metrics alone on METRICS_PORT: a port that can stay inside the cluster (or behind its own
 * firewall rule) while PORT faces the internet. Everything else there is 404.
 */
export async function serveMetrics(port: number, host: string, metrics: Metrics): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    metrics.text().then(
      (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
      () => res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "metrics unavailable" })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
