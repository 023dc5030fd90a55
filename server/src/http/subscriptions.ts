import type { Server } from "node:http";
import { GraphQLError, specifiedRules, validate, type GraphQLSchema } from "graphql";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { bearerToken } from "../apps/api-key";
import type { AppEntity } from "../apps/app.entity";
import type { GqlContext } from "../graphql/context";
import { cachedParser } from "../graphql/document-cache";
import { createFormatError } from "../graphql/format-error";
import { DEFAULT_GRAPHQL_LIMITS, hardeningRules, type GraphqlLimits } from "../graphql/hardening";
import type { Services } from "../services";
import { closeWsServer, wsErrorHooks } from "./ws-server-parts";

/** Operations one connection may run at once: a client follows a handful of verifications, not thousands. */
export const MAX_OPERATIONS_PER_CONNECTION = 100;

/**
 * graphql-ws (`graphql-transport-ws`) on the same port as HTTP, path /graphql. The API key
 * comes in connectionParams.authorization; a connection without a valid one is closed 4403,
 * and the key is checked again for every operation, so a revoked key starts nothing new.
 * Errors go through the same formatter as over HTTP (contract codes, internal ones masked),
 * introspection is off in production as over HTTP, and `clientIp` applies TRUST_PROXY to the
 * upgrade request as fastify does to HTTP requests.
 */
export function attachSubscriptions(
  server: Server,
  schema: GraphQLSchema,
  services: Services,
  log: Logger,
  clientIp: (req: any) => string | null,
  production = false,
  limits: GraphqlLimits = DEFAULT_GRAPHQL_LIMITS,
) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "").split("?")[0];
    if (path === "/admin/graphql") return; // the admin API's own listener (admin/http/admin-subscriptions.ts)
    if (path !== "/graphql") return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  const formatError = createFormatError(log, production);
  // The HTTP endpoint's rules (one OTP mutation per operation, alias/depth/cost limits; no introspection in production).
  const rules = [...specifiedRules, ...hardeningRules(limits, production)];
  const unauthenticated = () =>
    [new GraphQLError("A valid API key is required (connectionParams.authorization: Bearer <key>)", { extensions: { code: "UNAUTHENTICATED" } })];

  const disposable = useServer<Record<string, unknown>, { app?: AppEntity }>(
    {
      schema,
      // One parsed document per distinct query, shared by every subscription that sends it (memory per subscription).
      parse: cachedParser(limits.maxTokens),
      validate: (s, document) => validate(s, document, rules),
      onConnect: async (ctx) => {
        const app = await services.apps.authenticate(bearerToken(ctx.connectionParams?.authorization));
        if (!app) return false;
        ctx.extra.app = app;
        return true;
      },
      onSubscribe: async (ctx) => {
        // graphql-ws has already registered the operation being opened, so it counts itself.
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_CONNECTION) {
          return [new GraphQLError(`At most ${MAX_OPERATIONS_PER_CONNECTION} operations per connection`, { extensions: { code: "RATE_LIMITED", retryAfter: 1 } })];
        }
        const app = await services.apps.authenticate(bearerToken(ctx.connectionParams?.authorization));
        if (!app) return unauthenticated();
        ctx.extra.app = app;
      },
      context: (ctx): GqlContext => ({
        app: ctx.extra.app!,
        socketIp: clientIp(ctx.extra.request),
        // Flat: Node builds randomUUID() out of ~16 cons-string pieces, ~450 bytes kept per open subscription.
        requestId: Buffer.from(crypto.randomUUID(), "latin1").toString("latin1"),
        services,
      }),
      ...wsErrorHooks(formatError),
    },
    wss,
  );
  return {
    close: () => closeWsServer(wss, disposable),
    get connections() {
      return wss.clients.size;
    },
  };
}
