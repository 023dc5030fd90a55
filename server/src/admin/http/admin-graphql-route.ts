import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo from "@as-integrations/fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GraphQLSchema } from "graphql";
import type { Logger } from "pino";
import { createFormatError } from "../../graphql/format-error";
import type { AdminServices } from "../admin-services";
import { SESSION_COOKIE } from "../auth/sessions";
import type { AdminContext } from "../context";
import { adminCostPlugin } from "./admin-cost";
import { ADMIN_DOCUMENT_LIMITS, adminValidationRules } from "./admin-limits";

export const ADMIN_GRAPHQL_PATH = "/admin/graphql";

/** The dashboard says how long its user has been inactive; past a minute, its requests are background traffic. */
export const IDLE_HEADER = "x-otpg-idle-seconds";
const isBackground = (request: FastifyRequest) => Number(request.headers[IDLE_HEADER]) > 60;

/**
 * POST /admin/graphql on its own Apollo Server. Who is asking comes only from the session
 * cookie: an app's API key in Authorization means nothing here. CSRF: the cookie is
 * SameSite=Strict, and Apollo's csrfPrevention refuses requests a cross-site form could send
 * (anything but a JSON body or a request carrying a custom header).
 */
export async function registerAdminGraphql(fastify: FastifyInstance, schema: GraphQLSchema, admin: AdminServices, log: Logger) {
  const apollo = new ApolloServer<AdminContext>({
    schema,
    introspection: !admin.config.production,
    validationRules: adminValidationRules(false),
    parseOptions: { maxTokens: ADMIN_DOCUMENT_LIMITS.maxTokens },
    hideSchemaDetailsFromClientErrors: admin.config.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    formatError: createFormatError(log.child({ component: "admin-api" }), admin.config.production),
    plugins: [adminCostPlugin, ...(admin.config.production ? [ApolloServerPluginLandingPageDisabled()] : [])],
  });
  await apollo.start();
  await fastify.register(fastifyApollo(apollo), {
    path: ADMIN_GRAPHQL_PATH,
    context: async (request: FastifyRequest, reply: FastifyReply): Promise<AdminContext> => {
      reply.header("cache-control", "no-store");
      const session = await admin.sessions.resolve(request.cookies?.[SESSION_COOKIE], !isBackground(request));
      return {
        staff: session?.staff ?? null,
        sessionId: session?.sessionId ?? null,
        ip: request.ip ?? null,
        userAgent: typeof request.headers["user-agent"] === "string" ? request.headers["user-agent"] : null,
        admin,
        reply,
      };
    },
  });
  return apollo;
}
