import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo from "@as-integrations/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { GraphQLError, type GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import { bearerToken } from "../apps/api-key";
import type { GqlContext } from "../graphql/context";
import { createFormatError } from "../graphql/format-error";
import type { Services } from "../services";

/** POST /graphql (and GET for queries) on Apollo Server; every operation needs an app's API key. */
export async function registerGraphql(fastify: FastifyInstance, schema: GraphQLSchema, services: Services, log: Logger, production: boolean) {
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Shutdown is ours (serve.ts): Apollo would stop itself and re-raise the signal, killing the drain.
    stopOnTerminationSignals: false,
    formatError: createFormatError(log, production),
    plugins: production ? [ApolloServerPluginLandingPageDisabled()] : [],
  });
  await apollo.start();
  await fastify.register(fastifyApollo(apollo), {
    path: "/graphql",
    context: async (request: FastifyRequest): Promise<GqlContext> => {
      const app = await services.apps.authenticate(bearerToken(request.headers.authorization));
      if (!app) {
        throw new GraphQLError("A valid API key is required (Authorization: Bearer <key>)", {
          extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
        });
      }
      return { app, socketIp: request.ip ?? null, requestId: String(request.id), services };
    },
  });
  return apollo;
}
