import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { VonageConfig } from "../../config/config";
import type { StatusReport } from "../../providers/provider";
import { checkMessagesCallback, type MessagesCallbackAuth } from "../../providers/vonage/messages-signature";
import { VonageProvider } from "../../providers/vonage/vonage-provider";
import { checkVonageReceipt, namesOurApiKey, type ReceiptCheck } from "../../providers/vonage/vonage-signature";
import { VonageWhatsAppProvider } from "../../providers/vonage/vonage-whatsapp-provider";
import type { StatusCallbacks } from "../status-callbacks";
import { flatParams } from "./params";

export const VONAGE_STATUS_PATH = "/webhooks/vonage/status";

type WithRawBody = FastifyRequest & { rawBody?: string };

/**
 * `POST|GET /webhooks/vonage/status`: both of Vonage's callback kinds on one URL.
 * - SMS API delivery receipts, in whichever form the account sends them (JSON, form or query
 *   string). With VONAGE_SIGNATURE_SECRET set, only receipts carrying a valid `sig` with a
 *   timestamp within ±5 minutes are accepted (see checkVonageReceipt). Without it — allowed
 *   outside production only, where start-up refuses a Vonage configuration without the
 *   secret — a receipt must at least name our API key.
 * - Messages API (WhatsApp, RCS) status callbacks, which carry `Authorization: Bearer <JWT>`: the
 *   token must verify against the exact body and be under five minutes old (see
 *   checkMessagesCallback), so this route keeps the raw JSON text beside the parsed body.
 * Anything unauthentic or stale is 403 and changes nothing.
 */
export function registerVonageStatusWebhook(
  fastify: FastifyInstance, sms: VonageConfig | undefined, messages: MessagesCallbackAuth | undefined, callbacks: StatusCallbacks, log: Logger,
): void {
  const refused = (req: FastifyRequest, reply: FastifyReply, check: Exclude<ReceiptCheck, "ok">) => {
    const why = check === "stale" ? "timestamp outside the 5-minute window" : "bad or missing signature";
    log.warn({ ip: req.ip, path: VONAGE_STATUS_PATH }, `status callback refused: ${why}`);
    return reply.code(403).send({ error: check === "stale" ? "stale signature" : "invalid signature" });
  };
  const apply = async (report: StatusReport | null, reply: FastifyReply) => {
    if (!report) return reply.code(204).send();
    const outcome = await callbacks.apply(report);
    log.debug({ provider: "vonage", providerMessageId: report.providerMessageId, status: report.status, outcome }, "status callback");
    return reply.code(204).send();
  };
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    if (/^Bearer\s/i.test(req.headers.authorization ?? "")) {
      const check = messages ? checkMessagesCallback(messages, req.headers.authorization, (req as WithRawBody).rawBody ?? "") : "bad_signature";
      if (check !== "ok") return refused(req, reply, check);
      const body = req.body && typeof req.body === "object" ? (req.body as Record<string, unknown>) : {};
      return apply(VonageWhatsAppProvider.parseStatusCallback(body), reply);
    }
    if (!sms) return refused(req, reply, "bad_signature");
    const params = { ...flatParams(req.query), ...flatParams(req.body) };
    const check = sms.signatureSecret ? checkVonageReceipt(sms, params) : namesOurApiKey(sms, params) ? "ok" : "bad_signature";
    if (check !== "ok") return refused(req, reply, check);
    return apply(VonageProvider.parseStatusCallback(params, sms.priceCurrency), reply);
  };
  fastify.register(async (scope) => {
    // This route's JSON keeps its text: a Messages callback's token signs the body's SHA-256.
    // Unparseable JSON becomes an empty body, which no signature covers (403).
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (req, text, done) => {
      (req as WithRawBody).rawBody = text as string;
      try {
        done(null, text ? JSON.parse(text as string) : {});
      } catch {
        done(null, {});
      }
    });
    scope.post(VONAGE_STATUS_PATH, handle);
    scope.get(VONAGE_STATUS_PATH, handle);
  });
}
