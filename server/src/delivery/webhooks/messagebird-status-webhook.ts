import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { MessageBirdConfig } from "../../config/config";
import { MESSAGEBIRD_SIGNATURE_HEADER, messageBirdSignatureValid, parseMessageBirdStatus } from "../../providers/messagebird/messagebird-status";
import type { StatusCallbacks } from "../status-callbacks";
import { flatParams } from "./params";
import { rawBodyOf, withRawBody } from "./raw-body";

export const MESSAGEBIRD_STATUS_PATH = "/webhooks/messagebird/status";

/**
 * `GET|POST /webhooks/messagebird/status`: SMS and voice-message status reports. The
 * `MessageBird-Signature-JWT` is checked with MESSAGEBIRD_SIGNING_KEY over the exact URL
 * MessageBird called (PUBLIC_URL + path + query) and the raw body; without the key, or with a
 * bad, missing or expired token, the report is 403 and changes nothing.
 */
export function registerMessageBirdStatusWebhook(fastify: FastifyInstance, config: MessageBirdConfig, publicUrl: string, callbacks: StatusCallbacks, log: Logger): void {
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const body = rawBodyOf(req.body);
    const jwt = req.headers[MESSAGEBIRD_SIGNATURE_HEADER];
    const authentic = !!config.signingKey && (await messageBirdSignatureValid(config.signingKey, typeof jwt === "string" ? jwt : undefined, publicUrl + req.url, body));
    if (!authentic) {
      log.warn({ ip: req.ip, path: MESSAGEBIRD_STATUS_PATH }, "status callback refused: bad, missing or expired signature");
      return reply.code(403).send({ error: "invalid signature" });
    }
    const report = parseMessageBirdStatus({ ...flatParams(req.query), ...bodyParams(body, req.headers["content-type"]) });
    if (!report) return reply.code(204).send();
    const outcome = await callbacks.apply(report);
    log.debug({ provider: "messagebird", providerMessageId: report.providerMessageId, status: report.status, outcome }, "status callback");
    return reply.code(204).send();
  };
  withRawBody(fastify, (scope) => {
    scope.get(MESSAGEBIRD_STATUS_PATH, handle);
    scope.post(MESSAGEBIRD_STATUS_PATH, handle);
  });
}

/** A signed body, JSON or form, as flat parameters (the signature already covers its bytes). */
function bodyParams(body: string, contentType: string | undefined): Record<string, string> {
  if (!body) return {};
  if ((contentType ?? "").includes("json")) {
    try {
      return flatParams(JSON.parse(body));
    } catch {
      return {};
    }
  }
  return flatParams(Object.fromEntries(new URLSearchParams(body)));
}
