import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { VonageConfig } from "../../config/config";
import { VonageProvider, vonageSignatureValid } from "../../providers/vonage/vonage-provider";
import type { StatusCallbacks } from "../status-callbacks";
import { flatParams } from "./params";

export const VONAGE_STATUS_PATH = "/webhooks/vonage/status";

/**
 * `POST|GET /webhooks/vonage/status`: SMS delivery receipts, in whichever form the Vonage
 * account sends them (JSON, form or query string). With VONAGE_SIGNATURE_SECRET set, only
 * receipts carrying a valid `sig` are accepted; without it (Vonage's signed webhooks off),
 * a receipt must at least name our API key — set the secret in production.
 */
export function registerVonageStatusWebhook(fastify: FastifyInstance, vonage: VonageConfig, callbacks: StatusCallbacks, log: Logger): void {
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = { ...flatParams(req.query), ...flatParams(req.body) };
    const authentic = vonage.signatureSecret ? vonageSignatureValid(vonage, params) : params["api-key"] === vonage.apiKey;
    if (!authentic) {
      log.warn({ ip: req.ip, path: VONAGE_STATUS_PATH }, "status callback refused: bad or missing signature");
      return reply.code(403).send({ error: "invalid signature" });
    }
    const report = VonageProvider.parseStatusCallback(params);
    if (!report) return reply.code(204).send();
    const outcome = await callbacks.apply(report);
    log.debug({ provider: "vonage", providerMessageId: report.providerMessageId, status: report.status, outcome }, "status callback");
    return reply.code(204).send();
  };
  fastify.post(VONAGE_STATUS_PATH, handle);
  fastify.get(VONAGE_STATUS_PATH, handle);
}
