import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { VonageConfig } from "../../config/config";
import { VonageProvider } from "../../providers/vonage/vonage-provider";
import { checkVonageReceipt, namesOurApiKey } from "../../providers/vonage/vonage-signature";
import type { StatusCallbacks } from "../status-callbacks";
import { flatParams } from "./params";

export const VONAGE_STATUS_PATH = "/webhooks/vonage/status";

/**
 * `POST|GET /webhooks/vonage/status`: SMS delivery receipts, in whichever form the Vonage
 * account sends them (JSON, form or query string). With VONAGE_SIGNATURE_SECRET set, only
 * receipts carrying a valid `sig` with a timestamp within ±5 minutes are accepted (see
 * checkVonageReceipt). Without it — allowed outside production only, where start-up refuses
 * a Vonage configuration without the secret — a receipt must at least name our API key.
 */
export function registerVonageStatusWebhook(fastify: FastifyInstance, vonage: VonageConfig, callbacks: StatusCallbacks, log: Logger): void {
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = { ...flatParams(req.query), ...flatParams(req.body) };
    const check = vonage.signatureSecret ? checkVonageReceipt(vonage, params) : namesOurApiKey(vonage, params) ? "ok" : "bad_signature";
    if (check !== "ok") {
      const why = check === "stale" ? "timestamp outside the 5-minute window" : "bad or missing signature";
      log.warn({ ip: req.ip, path: VONAGE_STATUS_PATH }, `status callback refused: ${why}`);
      return reply.code(403).send({ error: check === "stale" ? "stale signature" : "invalid signature" });
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
