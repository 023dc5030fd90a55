import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo from "@as-integrations/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { GraphQLError, type GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import { bearerToken } from "../apps/api-key";
import type { GqlContext } from "../graphql/context";
import { createFormatError } from "../graphql/format-error";
import { apolloHardening, DEFAULT_GRAPHQL_LIMITS, type GraphqlLimits } from "../graphql/hardening";
import { operationObserver } from "../observability/operation-observer";
import type { Services } from "../services";

/** POST /graphql (and GET for queries) on Apollo Server; every operation needs an app's API key. */
export async function registerGraphql(
  fastify: FastifyInstance, schema: GraphQLSchema, services: Services, log: Logger, production: boolean, limits: GraphqlLimits = DEFAULT_GRAPHQL_LIMITS,
) {
  const apollo = new ApolloServer<GqlContext>({
    schema,
    // Introspection, suggestions and stack traces off in production; CSRF prevention, no batching, validation limits always.
    ...apolloHardening(limits, production),
    // Shutdown is ours (serve.ts): Apollo would stop itself and re-raise the signal, killing the drain.
    stopOnTerminationSignals: false,
    formatError: createFormatError(log, production),
    plugins: [operationObserver(services.metrics, log), ...(production ? [ApolloServerPluginLandingPageDisabled()] : [])],
  });
  await apollo.start();
  await fastify.register(fastifyApollo(apollo), {
    path: "/graphql",
    context: async (request: FastifyRequest): Promise<GqlContext> => {
      const receivedAt = performance.now();
      const requestId = String(request.id);
      const app = await services.apps.authenticate(bearerToken(request.headers.authorization)).catch((err: unknown) => {
        // e.g. the database is down: an internal error the caller can quote by request id (logged by format-error).
        services.metrics.operations.inc({ operation: "unknown", outcome: "INTERNAL_SERVER_ERROR" });
        throw new GraphQLError("Internal server error", { originalError: err as Error, extensions: { code: "INTERNAL_SERVER_ERROR", requestId } });
      });
      if (!app) {
        services.metrics.operations.inc({ operation: "unknown", outcome: "UNAUTHENTICATED" });
        log.info({ reqId: requestId }, "graphql request without a valid API key");
        throw new GraphQLError("A valid API key is required (Authorization: Bearer <key>)", {
          extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
        });
      }
      return { app, socketIp: request.ip ?? null, requestId, services, receivedAt };
    },
  });
  return apollo;
}
