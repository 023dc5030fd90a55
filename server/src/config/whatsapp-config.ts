import type { Env } from "./env";
import { parseContentSids, readPrivateKey } from "./whatsapp-env";

/** Twilio's Messages API with `whatsapp:` addresses and an approved Content template (one SID per language, "*" the default). */
export interface TwilioWhatsAppConfig {
  accountSid: string;
  authToken: string;
  apiBaseUrl?: string;
  /** The sender as Twilio addresses it: "whatsapp:+14155238886". */
  from: string;
  contentSids: Record<string, string>;
}

/** Vonage's Messages API (`channel: whatsapp`, a template message); JWT auth with an application key, or Basic with the key/secret pair. */
export interface VonageWhatsAppConfig {
  /** Digits only, as Vonage writes numbers. */
  from: string;
  template: string;
  auth: { applicationId: string; privateKey: string } | { apiKey: string; apiSecret: string };
  /** The account's API key, when known: a signed callback must name it. */
  apiKey?: string;
  apiBaseUrl?: string;
  /** Checks the Messages API's signed callbacks (HS256 JWT); required with VONAGE_WHATSAPP_FROM. */
  signatureSecret: string;
}

export interface WhatsAppConfig { twilio?: TwilioWhatsAppConfig; vonage?: VonageWhatsAppConfig }

/** The WhatsApp part of the configuration, from an environment env.ts has already validated. */
export function whatsappConfig(env: Env): WhatsAppConfig {
  const out: WhatsAppConfig = {};
  if (env.TWILIO_WHATSAPP_FROM && env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN) {
    out.twilio = {
      accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, apiBaseUrl: env.TWILIO_API_BASE_URL,
      from: `whatsapp:${env.TWILIO_WHATSAPP_FROM}`, contentSids: parseContentSids(env.TWILIO_WHATSAPP_CONTENT_SID!)!,
    };
  }
  if (env.VONAGE_WHATSAPP_FROM && env.VONAGE_WHATSAPP_TEMPLATE && env.VONAGE_SIGNATURE_SECRET) {
    const privateKey = env.VONAGE_PRIVATE_KEY ? readPrivateKey(env.VONAGE_PRIVATE_KEY) : null;
    out.vonage = {
      from: env.VONAGE_WHATSAPP_FROM, template: env.VONAGE_WHATSAPP_TEMPLATE,
      auth: env.VONAGE_APPLICATION_ID && privateKey
        ? { applicationId: env.VONAGE_APPLICATION_ID, privateKey }
        : { apiKey: env.VONAGE_API_KEY!, apiSecret: env.VONAGE_API_SECRET! },
      apiKey: env.VONAGE_API_KEY, apiBaseUrl: env.VONAGE_API_BASE_URL, signatureSecret: env.VONAGE_SIGNATURE_SECRET,
    };
  }
  return out;
}
