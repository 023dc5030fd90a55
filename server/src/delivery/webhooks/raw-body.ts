import type { FastifyInstance } from "fastify";

/**
 * Routes that need the body exactly as it arrived: signatures over bytes (Standard Webhooks,
 * MessageBird's payload_hash) break if the body is parsed and re-serialised. Inside this scope
 * every body, whatever its content type, reaches the handler as the string received.
 */
export function withRawBody(fastify: FastifyInstance, register: (scope: FastifyInstance) => void): void {
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
    register(scope);
  });
}

/** The raw body of a request in a withRawBody scope ("" when there was none). */
export const rawBodyOf = (body: unknown): string => (typeof body === "string" ? body : "");
