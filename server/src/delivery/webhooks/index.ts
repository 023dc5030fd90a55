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
  const twilio = config.twilio ?? config.whatsapp.twilio;
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
  const vonageWhatsApp = config.whatsapp.vonage;
  if (config.vonage || vonageWhatsApp) {
    registerVonageStatusWebhook(fastify, config.vonage, vonageWhatsApp && { signatureSecret: vonageWhatsApp.signatureSecret, apiKey: vonageWhatsApp.apiKey }, callbacks, webhookLog);
    if (config.vonage && !config.vonage.signatureSecret) webhookLog.warn("VONAGE_SIGNATURE_SECRET is not set: Vonage delivery receipts are checked only for the API key");
  }
}
