import type { FastifyInstance } from "fastify";
import type { DataSource } from "typeorm";
import type { Metrics } from "../observability/metrics";
import type { RedisClient } from "../redis";

/** /healthz (the process is up), /readyz (its database answers, and Redis when configured), /metrics. */
export function registerHealthRoutes(fastify: FastifyInstance, ds: DataSource, redis: RedisClient | undefined, metrics: Metrics, role: string) {
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
    const ready = Object.values(checks).every((v) => v === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks });
  });
  fastify.get("/metrics", async (_req, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
