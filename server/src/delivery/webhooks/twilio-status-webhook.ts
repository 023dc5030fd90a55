import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { TwilioConfig } from "../../config/config";
import { TwilioProvider } from "../../providers/twilio/twilio-provider";
import type { StatusCallbacks } from "../status-callbacks";
import { flatParams } from "./params";

export const TWILIO_STATUS_PATH = "/webhooks/twilio/status";

/**
 * `POST /webhooks/twilio/status`: message and call status callbacks. The X-Twilio-Signature
 * is checked against the URL Twilio was given (PUBLIC_URL + path + query, exactly) and the
 * posted parameters; a missing or wrong signature is 403 and changes nothing.
 */
export function registerTwilioStatusWebhook(fastify: FastifyInstance, twilio: Pick<TwilioConfig, "authToken">, publicUrl: string, callbacks: StatusCallbacks, log: Logger): void {
  fastify.post(TWILIO_STATUS_PATH, async (req, reply) => {
    const params = flatParams(req.body);
    const signature = req.headers["x-twilio-signature"];
    if (!TwilioProvider.signatureValid(twilio.authToken, typeof signature === "string" ? signature : undefined, publicUrl + req.url, params)) {
      log.warn({ ip: req.ip, path: TWILIO_STATUS_PATH }, "status callback refused: bad or missing signature");
      return reply.code(403).send({ error: "invalid signature" });
    }
    const report = TwilioProvider.parseStatusCallback(params);
    // Signed but not a status we track ("receiving", a new word): acknowledged, nothing to do.
    if (!report) return reply.code(204).send();
    const outcome = await callbacks.apply(report);
    log.debug({ provider: "twilio", providerMessageId: report.providerMessageId, status: report.status, outcome }, "status callback");
    return reply.code(204).send();
  });
}
