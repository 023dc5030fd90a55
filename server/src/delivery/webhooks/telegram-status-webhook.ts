import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { TelegramConfig } from "../../config/config";
import { parseTelegramReport, telegramSignatureValid, TELEGRAM_SIGNATURE_HEADER, TELEGRAM_TIMESTAMP_HEADER } from "../../providers/telegram/telegram-report";
import type { StatusCallbacks } from "../status-callbacks";
import { rawBodyOf, withRawBody } from "./raw-body";

export const TELEGRAM_STATUS_PATH = "/webhooks/telegram/status";

const header = (v: string | string[] | undefined) => (typeof v === "string" ? v : undefined);

/**
 * `POST /webhooks/telegram/status`: the Gateway API's delivery reports (a RequestStatus as JSON),
 * the `callback_url` of every message. `X-Request-Signature` is checked over
 * `X-Request-Timestamp` and the exact body with the token's SHA-256 as key, and the timestamp
 * must be within 5 minutes: a forged, tampered or replayed report is 403 and changes nothing.
 * Telegram retries anything but 200 (up to 10 times), so an authentic report is acknowledged
 * with 200 even when it names nothing we track (a verification_status report, another account's
 * request): retrying it would change nothing.
 */
export function registerTelegramStatusWebhook(fastify: FastifyInstance, config: TelegramConfig, callbacks: StatusCallbacks, log: Logger, now: () => number = Date.now): void {
  withRawBody(fastify, (scope) =>
    scope.post(TELEGRAM_STATUS_PATH, async (req, reply) => {
      const body = rawBodyOf(req.body);
      if (!telegramSignatureValid(config.token, header(req.headers[TELEGRAM_TIMESTAMP_HEADER]), header(req.headers[TELEGRAM_SIGNATURE_HEADER]), body, now())) {
        log.warn({ ip: req.ip, path: TELEGRAM_STATUS_PATH }, "status callback refused: bad, missing or stale signature");
        return reply.code(403).send({ error: "invalid signature" });
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return reply.code(400).send({ error: "body must be a JSON RequestStatus" });
      }
      const report = parseTelegramReport(parsed);
      if (!report) return reply.code(200).send({ ok: true });
      const outcome = await callbacks.apply(report);
      log.debug({ provider: "telegram", providerMessageId: report.providerMessageId, status: report.status, outcome }, "status callback");
      return reply.code(200).send({ ok: true });
    }),
  );
}
