import type { Env } from "./env";
import { readPrivateKey } from "./whatsapp-env";

/** Twilio: Messages sent through a Messaging Service whose sender pool holds the RCS sender. */
export interface TwilioRcsConfig { accountSid: string; authToken: string; apiBaseUrl?: string; messagingServiceSid: string }

/** Vonage's Messages API (`channel: rcs`, a text message from the RCS agent), with WhatsApp's credentials. */
export interface VonageRcsConfig {
  from: string;
  auth: { applicationId: string; privateKey: string } | { apiKey: string; apiSecret: string };
  /** The account's API key, when known: a signed callback must name it. */
  apiKey?: string;
  apiBaseUrl?: string;
  signatureSecret: string;
}

export interface RcsConfig { twilio?: TwilioRcsConfig; vonage?: VonageRcsConfig }

/** The RCS part of the configuration, from an environment env.ts has already validated. */
export function rcsConfig(env: Env): RcsConfig {
  const out: RcsConfig = {};
  if (env.TWILIO_RCS_MESSAGING_SERVICE_SID && env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN) {
    out.twilio = {
      accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, apiBaseUrl: env.TWILIO_API_BASE_URL,
      messagingServiceSid: env.TWILIO_RCS_MESSAGING_SERVICE_SID,
    };
  }
  if (env.VONAGE_RCS_FROM && env.VONAGE_SIGNATURE_SECRET) {
    const privateKey = env.VONAGE_PRIVATE_KEY ? readPrivateKey(env.VONAGE_PRIVATE_KEY) : null;
    out.vonage = {
      from: env.VONAGE_RCS_FROM,
      auth: env.VONAGE_APPLICATION_ID && privateKey
        ? { applicationId: env.VONAGE_APPLICATION_ID, privateKey }
        : { apiKey: env.VONAGE_API_KEY!, apiSecret: env.VONAGE_API_SECRET! },
      apiKey: env.VONAGE_API_KEY, apiBaseUrl: env.VONAGE_API_BASE_URL, signatureSecret: env.VONAGE_SIGNATURE_SECRET,
    };
  }
  return out;
}
