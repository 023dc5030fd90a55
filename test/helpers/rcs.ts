import { generateKeyPairSync } from "node:crypto";
import { TwilioFake } from "../fakes/twilio-fake";
import { newMessagingServiceSid, type TwilioMessagingService } from "../fakes/twilio-rcs";
import { VonageFake } from "../fakes/vonage-fake";
import { freePort } from "./gateway";
import { TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, VONAGE_FROM, VONAGE_KEY, VONAGE_SECRET, VONAGE_SIGNATURE_SECRET } from "./vendors";

export const TWILIO_RCS_SENDER = "rcs:acme_otp_agent";
/** The SMS number in the Messaging Service's pool: what Twilio's own fallback sends from. */
export const TWILIO_RCS_POOL_NUMBER = "+15005550009";
export const VONAGE_RCS_AGENT = "AcmeOTP";
const VONAGE_APPLICATION_ID = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ac";

export interface RcsVendors {
  twilio: TwilioFake;
  vonage: VonageFake;
  /** The Messaging Service the gateway names; its `smsSenders` may be changed by a test (Twilio's own fallback on or off). */
  service: TwilioMessagingService;
  port: number;
  /** SMS and RCS through both vendors; Vonage's Messages API with JWT auth. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Twilio and Vonage stand-ins with RCS senders: a Twilio Messaging Service holding an RCS sender
 * (no SMS sender in its pool unless a test adds one), a Vonage application (RSA key pair made
 * here) with an RCS agent; both vendors' SMS too, for the app's fallback.
 */
export async function startRcsVendors(opts: { callbackDelayMs?: number } = {}): Promise<RcsVendors> {
  const port = await freePort();
  const service: TwilioMessagingService = { sid: newMessagingServiceSid(), rcsSender: TWILIO_RCS_SENDER, smsSenders: [] };
  const twilio = await TwilioFake.start({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, callbackDelayMs: opts.callbackDelayMs ?? 20, services: [service] });
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const vonage = await VonageFake.start({
    apiKey: VONAGE_KEY, apiSecret: VONAGE_SECRET, signatureSecret: VONAGE_SIGNATURE_SECRET, signatureAlgorithm: "sha256hmac",
    callbackDelayMs: opts.callbackDelayMs ?? 20,
    messages: {
      applicationId: VONAGE_APPLICATION_ID, publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
      templates: {}, senders: [], rcsAgents: [VONAGE_RCS_AGENT],
    },
  });
  const env = {
    PORT: String(port),
    TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_API_BASE_URL: twilio.url, TWILIO_FROM,
    TWILIO_RCS_MESSAGING_SERVICE_SID: service.sid,
    VONAGE_API_KEY: VONAGE_KEY, VONAGE_API_SECRET: VONAGE_SECRET, VONAGE_FROM, VONAGE_API_BASE_URL: vonage.url,
    VONAGE_SIGNATURE_SECRET, VONAGE_SIGNATURE_METHOD: "sha256hmac",
    VONAGE_APPLICATION_ID, VONAGE_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString().replace(/\n/g, "\\n"),
    VONAGE_RCS_FROM: VONAGE_RCS_AGENT,
  };
  return {
    twilio, vonage, service, port, env,
    async stop() {
      await Promise.all([twilio.stop(), vonage.stop()]);
    },
  };
}
