import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";

/**
 * Refusals that happen before any GraphQL runs — a body over the limit, JSON that doesn't
 * parse, a content type we don't read, a route that doesn't exist — answered in the contract's
 * shape ("Errors beside GraphQL"): on the GraphQL routes a GraphQL response
 * `{ "errors": [{ "message", "extensions": { "code" } }] }`, elsewhere (webhooks, health)
 * `{ "error", "code" }`; always JSON, with the fitting status, and never a framework's own
 * error name (fastify's FST_ERR_…) or message.
 */
export const GRAPHQL_PATHS = ["/graphql", "/admin/graphql"] as const;

const pathOf = (url: string) => url.split("?")[0];

/** Whether a URL is one of the GraphQL routes or under one (`/graphql/anything`). */
export function isGraphqlPath(url: string): boolean {
  const path = pathOf(url);
  return GRAPHQL_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

export type HttpErrorCode = "BAD_USER_INPUT" | "NOT_FOUND" | "INTERNAL_SERVER_ERROR";

/** Answers a refusal in the shape its route speaks. */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, status: number, code: HttpErrorCode, message: string, extensions: Record<string, unknown> = {}) {
  reply.code(status).header("content-type", "application/json; charset=utf-8");
  const body = isGraphqlPath(request.url) ? { errors: [{ message, extensions: { code, ...extensions } }] } : { error: message, code, ...extensions };
  return reply.send(JSON.stringify(body));
}

/** What we say for a refusal fastify raised: by status, in our words, never the framework's. */
function describe(err: FastifyError, bodyLimit: number): { status: number; code: HttpErrorCode; message: string; field?: string } {
  const status = err.statusCode ?? 500;
  if (status === 413) return { status, code: "BAD_USER_INPUT", message: `The request body is larger than ${Math.round(bodyLimit / 1024)} KiB` };
  if (status === 415) return { status, code: "BAD_USER_INPUT", message: "Unsupported content type" };
  if (status === 400 && (err instanceof SyntaxError || /JSON/i.test(err.code ?? ""))) return { status, code: "BAD_USER_INPUT", message: "The request body is not valid JSON" };
  if (status >= 400 && status < 500) return { status, code: "BAD_USER_INPUT", message: "The request could not be read" };
  return { status: 500, code: "INTERNAL_SERVER_ERROR", message: "Internal server error" };
}

/**
 * The server-wide error and not-found handlers, and a check that GraphQL POSTs carry JSON
 * (fastify would read text/plain and hand Apollo a string; Apollo's own refusals of what it
 * can't read are plain text, so they are rewritten here as GraphQL responses too).
 */
export function registerHttpErrors(fastify: FastifyInstance, log: Logger, bodyLimit: number): void {
  fastify.setErrorHandler((err: FastifyError, request, reply) => {
    const d = describe(err, bodyLimit);
    if (d.status >= 500) {
      const errorId = String(request.id);
      log.error({ err, reqId: errorId, url: pathOf(request.url) }, "internal error outside GraphQL");
      return sendRefusal(request, reply, 500, d.code, d.message, { errorId });
    }
    return sendRefusal(request, reply, d.status, d.code, d.message);
  });
  fastify.setNotFoundHandler((request, reply) => sendRefusal(request, reply, 404, "NOT_FOUND", `No route ${request.method} ${pathOf(request.url)}`));

  fastify.addHook("preParsing", async (request, reply) => {
    if (request.method !== "POST" || !isGraphqlPath(request.url)) return;
    const type = String(request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") return sendRefusal(request, reply, 415, "BAD_USER_INPUT", "Content-Type must be application/json");
  });

  fastify.addHook("onSend", async (request, reply, payload) => {
    if (reply.statusCode < 400 || !isGraphqlPath(request.url)) return payload;
    const type = String(reply.getHeader("content-type") ?? "");
    if (type.includes("json")) return payload;
    // Apollo's HTTP-level refusals (CSRF prevention, a GET without a query, a body that isn't a GraphQL request) are plain text.
    reply.header("content-type", "application/json; charset=utf-8");
    const message = typeof payload === "string" && payload.length < 500 ? payload.trim() : "The request is not a GraphQL request";
    return JSON.stringify({ errors: [{ message, extensions: { code: reply.statusCode >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_USER_INPUT" } }] });
  });
}
