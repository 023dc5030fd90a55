import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

/** An incoming id we accept as ours: short, and made of characters that are safe in logs and headers. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export const REQUEST_ID_HEADER = "x-request-id";

/**
 * fastify's genReqId: honours the caller's (or the proxy's) X-Request-Id when it is well
 * formed, so one id follows a request across systems; otherwise a fresh UUID.
 */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}

/** Returns the request id on every response, so a caller can quote it to support. */
export function echoRequestId(fastify: FastifyInstance): void {
  fastify.addHook("onRequest", (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
