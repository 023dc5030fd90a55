import { generateKeyPairSync } from "node:crypto";
import { TwilioFake } from "../fakes/twilio-fake";
import { AUTH_TEMPLATE_BODY, newContentSid } from "../fakes/twilio-whatsapp";
import { VonageFake } from "../fakes/vonage-fake";
import { freePort } from "./gateway";
import { TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, VONAGE_FROM, VONAGE_KEY, VONAGE_SECRET, VONAGE_SIGNATURE_SECRET } from "./vendors";

export const TWILIO_WHATSAPP_FROM = "+14155238886";
export const VONAGE_WHATSAPP_FROM = "447700900001";
export const VONAGE_APPLICATION_ID = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab";
export const VONAGE_TEMPLATE = "otp_gateway_code";

export interface WhatsAppVendors {
  twilio: TwilioFake;
  vonage: VonageFake;
  /** The Content templates on the Twilio account, by language. */
  contentSids: { en: string; es: string };
  privateKey: string;
  port: number;
  /** SMS and WhatsApp through both vendors; Vonage's Messages API with JWT auth. */
  env: Record<string, string>;
  /** Only the variables for one vendor's WhatsApp sender (and its SMS, for fallback tests). */
  envFor(vendor: "twilio" | "vonage", o?: { sms?: boolean; vonageAuth?: "jwt" | "basic" }): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Twilio and Vonage stand-ins with WhatsApp senders: Twilio with two approved Content
 * templates (en, es), Vonage with an application (RSA key pair made here), an approved
 * authentication template in en and es, and JWT-signed Messages callbacks.
 */
export async function startWhatsAppVendors(opts: { callbackDelayMs?: number } = {}): Promise<WhatsAppVendors> {
  const port = await freePort();
  const contentSids = { en: newContentSid(), es: newContentSid() };
  const twilio = await TwilioFake.start({
    accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, callbackDelayMs: opts.callbackDelayMs ?? 20,
    contents: [
      { sid: contentSids.en, language: "en", body: AUTH_TEMPLATE_BODY },
      { sid: contentSids.es, language: "es", body: "*{{1}}* es tu código de verificación. Por tu seguridad, no lo compartas." },
    ],
  });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const vonage = await VonageFake.start({
    apiKey: VONAGE_KEY, apiSecret: VONAGE_SECRET, signatureSecret: VONAGE_SIGNATURE_SECRET, signatureAlgorithm: "sha256hmac",
    callbackDelayMs: opts.callbackDelayMs ?? 20,
    messages: {
      applicationId: VONAGE_APPLICATION_ID, publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
      templates: { [VONAGE_TEMPLATE]: ["en", "es"] }, senders: [VONAGE_WHATSAPP_FROM],
    },
  });
  const twilioEnv = (sms: boolean) => ({
    TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_API_BASE_URL: twilio.url,
    TWILIO_WHATSAPP_FROM: `whatsapp:${TWILIO_WHATSAPP_FROM}`, TWILIO_WHATSAPP_CONTENT_SID: `en:${contentSids.en},es:${contentSids.es}`,
    ...(sms && { TWILIO_FROM }),
  });
  const vonageEnv = (sms: boolean, auth: "jwt" | "basic") => ({
    VONAGE_API_BASE_URL: vonage.url, VONAGE_SIGNATURE_SECRET, VONAGE_SIGNATURE_METHOD: "sha256hmac",
    VONAGE_WHATSAPP_FROM: `+${VONAGE_WHATSAPP_FROM}`, VONAGE_WHATSAPP_TEMPLATE: VONAGE_TEMPLATE,
    ...(auth === "jwt" && { VONAGE_APPLICATION_ID, VONAGE_PRIVATE_KEY: privatePem.replace(/\n/g, "\\n") }),
    ...((sms || auth === "basic") && { VONAGE_API_KEY: VONAGE_KEY, VONAGE_API_SECRET: VONAGE_SECRET }),
    ...(sms && { VONAGE_FROM }),
  });
  return {
    twilio, vonage, contentSids, privateKey: privatePem, port,
    env: { PORT: String(port), ...twilioEnv(true), ...vonageEnv(true, "jwt") },
    envFor: (vendor, o = {}) => ({
      PORT: String(port), ...(vendor === "twilio" ? twilioEnv(!!o.sms) : vonageEnv(!!o.sms, o.vonageAuth ?? "jwt")),
    }),
    async stop() {
      await Promise.all([twilio.stop(), vonage.stop()]);
    },
  };
}
