import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Logger } from "pino";
import { createFormatError } from "../../graphql/format-error";
import type { AdminServices } from "../admin-services";
import { SESSION_COOKIE } from "../auth/sessions";
import type { AdminContext } from "../context";
import type { ActiveSession } from "../auth/sessions";
import { ADMIN_GRAPHQL_PATH } from "./admin-graphql-route";
import { costProblem, operationCost } from "./admin-cost";
import { ADMIN_DOCUMENT_LIMITS, adminValidationRules } from "./admin-limits";
import { closeWsServer, wsErrorHooks } from "../../http/ws-server-parts";

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

/** A browser always sends Origin on a WebSocket handshake; another site's page must not ride the cookie. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * graphql-ws on /admin/graphql: the live delivery log. The session cookie is checked on the
 * upgrade (no session, no socket: 401) and again for every operation, so a logged-out or
 * expired session starts nothing new.
 */
export function attachAdminSubscriptions(server: Server, schema: GraphQLSchema, admin: AdminServices, log: Logger, clientIp: (req: IncomingMessage) => string | null) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const refuse = (socket: Duplex, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== ADMIN_GRAPHQL_PATH) return;
    if (!sameOrigin(req)) return refuse(socket, "403 Forbidden");
    admin.sessions.resolve(cookieValue(req.headers.cookie, SESSION_COOKIE)).then(
      (session) => {
        if (!session) return refuse(socket, "401 Unauthorized");
        (req as IncomingMessage & { session?: ActiveSession }).session = session;
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      },
      (err) => {
        log.error({ err }, "admin subscription upgrade failed");
        refuse(socket, "500 Internal Server Error");
      },
    );
  });
  const formatError = createFormatError(log.child({ component: "admin-api" }), admin.config.production);
  const rules = [...specifiedRules, ...adminValidationRules(admin.config.production)];
  const disposable = useServer<Record<string, unknown>, { session?: ActiveSession | null }>(
    {
      schema,
      validate: (s, document) => validate(s, document, rules),
      onConnect: (ctx) => {
        ctx.extra.session = (ctx.extra.request as IncomingMessage & { session?: ActiveSession }).session ?? null;
        return Boolean(ctx.extra.session);
      },
      onSubscribe: async (ctx, _id, payload) => {
        const session = await admin.sessions.resolve(cookieValue(ctx.extra.request.headers.cookie, SESSION_COOKIE));
        ctx.extra.session = session;
        if (!session) return [new GraphQLError("The dashboard session has ended; sign in again", { extensions: { code: "UNAUTHENTICATED" } })];
        // The same cost limit as over HTTP (a socket carries queries too); a document that doesn't parse is graphql-ws's to refuse.
        let document;
        try {
          document = parse(payload.query, { maxTokens: ADMIN_DOCUMENT_LIMITS.maxTokens });
        } catch {
          return;
        }
        const problem = costProblem(operationCost(document, payload.operationName, payload.variables));
        if (problem) return [new GraphQLError(problem.message, { originalError: problem, extensions: { code: problem.code, ...problem.extensions } })];
      },
      context: (ctx): AdminContext => ({
        staff: ctx.extra.session?.staff ?? null,
        sessionId: ctx.extra.session?.sessionId ?? null,
        ip: clientIp(ctx.extra.request),
        userAgent: ctx.extra.request.headers["user-agent"] ?? null,
        admin,
      }),
      ...wsErrorHooks(formatError),
    },
    wss,
  );
  return {
    close: () => closeWsServer(wss, disposable),
  };
}
