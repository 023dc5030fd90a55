import type { Server } from "node:http";
import type { GraphQLSchema } from "graphql";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import type { Logger } from "pino";
import { bearerToken } from "../apps/api-key";
import type { AppEntity } from "../apps/app.entity";
import type { GqlContext } from "../graphql/context";
import type { Services } from "../services";

/**
 * graphql-ws (`graphql-transport-ws`) on the same port as HTTP, path /graphql. The API key
 * comes in connectionParams.authorization; a connection without a valid one is closed 4403.
 */
export function attachSubscriptions(server: Server, schema: GraphQLSchema, services: Services, log: Logger, socketIp: (req: any) => string | null) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on("upgrade", (req, socket, head) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/graphql") return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });
  const disposable = useServer<Record<string, unknown>, { app?: AppEntity }>(
    {
      schema,
      onConnect: async (ctx) => {
        const app = await services.apps.authenticate(bearerToken(ctx.connectionParams?.authorization));
        if (!app) return false;
        ctx.extra.app = app;
        return true;
      },
      context: (ctx): GqlContext => ({
        app: ctx.extra.app!,
        socketIp: socketIp(ctx.extra.request),
        requestId: crypto.randomUUID(),
        services,
      }),
      onError: (_ctx, _id, _payload, errors) => {
        log.debug({ errors: errors.map((e) => e.message) }, "subscription error");
      },
    },
    wss,
  );
  return {
    async close() {
      for (const client of wss.clients) client.close(1001, "Going away");
      await disposable.dispose();
      await new Promise<void>((r) => wss.close(() => r()));
    },
    get connections() {
      return wss.clients.size;
    },
  };
}
