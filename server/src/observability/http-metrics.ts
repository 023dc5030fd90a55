import type { FastifyInstance } from "fastify";
import type { Metrics } from "./metrics";

/** Counts every HTTP response by its route pattern (never the raw URL: ids would explode the series). */
export function countHttpRequests(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook("onResponse", (request, reply, done) => {
    metrics.httpRequests.inc({ route: request.routeOptions.url ?? "unmatched", status: `${Math.floor(reply.statusCode / 100)}xx` });
    done();
  });
}
