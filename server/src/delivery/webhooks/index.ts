import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Config } from "../../config/config";
import { telegramCallbackUrl } from "../../providers/telegram/telegram-provider";
import type { StatusCallbacks } from "../status-callbacks";
import { registerHttpStatusWebhook } from "./http-status-webhook";
import { registerMessageBirdStatusWebhook } from "./messagebird-status-webhook";
import { registerTelegramStatusWebhook } from "./telegram-status-webhook";
import { registerTwilioStatusWebhook } from "./twilio-status-webhook";
import { registerVonageStatusWebhook } from "./vonage-status-webhook";

/** The vendors' status callback routes, for each vendor whose credentials are configured (its secret checks the signature). */
export function registerDeliveryWebhooks(fastify: FastifyInstance, config: Config, callbacks: StatusCallbacks, log: Logger): void {
  const webhookLog = log.child({ component: "webhooks" });
  const twilio = config.twilio ?? config.whatsapp.twilio ?? config.rcs.twilio;
  if (twilio) registerTwilioStatusWebhook(fastify, twilio, config.publicUrl, callbacks, webhookLog);
  if (config.httpProvider) registerHttpStatusWebhook(fastify, config.httpProvider, callbacks, webhookLog);
  if (config.messagebird) {
    registerMessageBirdStatusWebhook(fastify, config.messagebird, config.publicUrl, callbacks, webhookLog);
    if (!config.messagebird.signingKey) webhookLog.warn("MESSAGEBIRD_SIGNING_KEY is not set: MessageBird status reports are refused and its deliveries stay SENT");
  }
  if (config.telegram) {
    registerTelegramStatusWebhook(fastify, config.telegram, callbacks, webhookLog);
    if (!telegramCallbackUrl(config.publicUrl)) webhookLog.warn("PUBLIC_URL is not an https URL: Telegram sends delivery reports only to https, so TELEGRAM deliveries stay SENT");
  }
  // WhatsApp and RCS share the Messages API's credentials, so either one's secret checks both channels' callbacks.
  const vonageMessages = config.whatsapp.vonage ?? config.rcs.vonage;
  if (config.vonage || vonageMessages) {
    registerVonageStatusWebhook(fastify, config.vonage, vonageMessages && { signatureSecret: vonageMessages.signatureSecret, apiKey: vonageMessages.apiKey }, callbacks, webhookLog);
    if (config.vonage && !config.vonage.signatureSecret) webhookLog.warn("VONAGE_SIGNATURE_SECRET is not set: Vonage delivery receipts are checked only for the API key");
  }
}
