import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { HttpProviderConfig } from "../../config/config";
import { parseHttpStatusCallback } from "../../providers/http/http-status";
import type { StatusCallbacks } from "../status-callbacks";
import { rawBodyOf, withRawBody } from "./raw-body";

export const HTTP_STATUS_PATH = "/webhooks/http/status";

/**
 * `POST /webhooks/http/status`: the bring-your-own vendor's status reports, signed with
 * HTTP_PROVIDER_CALLBACK_SECRET (by default the Standard Webhooks secret the gateway signs its
 * messages with, HTTP_PROVIDER_SECRET). A bad, missing or
 * older-than-5-minutes signature is 403 and changes nothing; a signed body that isn't a
 * status report is 400.
 */
export function registerHttpStatusWebhook(fastify: FastifyInstance, config: HttpProviderConfig, callbacks: StatusCallbacks, log: Logger): void {
  withRawBody(fastify, (scope) =>
    scope.post(HTTP_STATUS_PATH, async (req, reply) => {
      const result = parseHttpStatusCallback(config.callbackSecret, rawBodyOf(req.body), req.headers);
      if (!result.ok) {
        if (result.status === 403) log.warn({ ip: req.ip, path: HTTP_STATUS_PATH }, "status callback refused: bad, missing or stale signature");
        return reply.code(result.status).send({ error: result.error });
      }
      const outcome = await callbacks.apply(result.report);
      log.debug({ provider: "http", providerMessageId: result.report.providerMessageId, status: result.report.status, outcome }, "status callback");
      return reply.code(204).send();
    }),
  );
}
