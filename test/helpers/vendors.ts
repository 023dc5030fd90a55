import { TwilioFake } from "../fakes/twilio-fake";
import { VonageFake } from "../fakes/vonage-fake";
import { SmtpInbox } from "./smtp-inbox";
import { freePort } from "./gateway";

export const TWILIO_SID = "AC00000000000000000000000000000003";
export const TWILIO_TOKEN = "twilio-delivery-test-token-0123456789";
export const TWILIO_FROM = "+15005550006";
export const VONAGE_KEY = "vonagekey1";
export const VONAGE_SECRET = "vonage-api-secret-1";
export const VONAGE_SIGNATURE_SECRET = "vonage-signature-secret-0123456789";
export const VONAGE_FROM = "OTPGW";
export const MAIL_FROM = "OTP Gateway <codes@gateway.test>";

/** Retry and breaker timings fast enough for tests, same shape as production. */
export const FAST_RETRY = { attemptsPerProvider: 3, baseDelayMs: 20, maxDelayMs: 200 };
export const SLOW_BREAKER = { consecutiveFailures: 1000, failureRatio: 0.99, window: 1000, halfOpenAfterMs: 60_000 };

export interface Vendors {
  twilio: TwilioFake;
  vonage: VonageFake;
  smtp: SmtpInbox;
  /** Gateway port chosen up front, so the Vonage fake can be told where DLRs go. */
  port: number;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Local stand-ins of all three vendors, driven by the real SDKs, and the gateway environment
 * pointing at them. `only` limits which vendors the environment configures.
 */
export async function startVendors(opts: { only?: Array<"twilio" | "vonage" | "smtp">; callbackDelayMs?: number } = {}): Promise<Vendors> {
  const port = await freePort();
  const only = opts.only ?? ["twilio", "vonage", "smtp"];
  const twilio = await TwilioFake.start({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, callbackDelayMs: opts.callbackDelayMs ?? 20 });
  const vonage = await VonageFake.start({
    apiKey: VONAGE_KEY, apiSecret: VONAGE_SECRET, signatureSecret: VONAGE_SIGNATURE_SECRET, signatureAlgorithm: "sha256hmac",
    callbackDelayMs: opts.callbackDelayMs ?? 20,
  });
  const smtp = await SmtpInbox.start();
  const env: Record<string, string> = { PORT: String(port) };
  if (only.includes("twilio")) Object.assign(env, { TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM, TWILIO_API_BASE_URL: twilio.url });
  if (only.includes("vonage")) {
    Object.assign(env, {
      VONAGE_API_KEY: VONAGE_KEY, VONAGE_API_SECRET: VONAGE_SECRET, VONAGE_FROM, VONAGE_API_BASE_URL: vonage.url,
      VONAGE_SIGNATURE_SECRET, VONAGE_SIGNATURE_METHOD: "sha256hmac",
    });
  }
  if (only.includes("smtp")) Object.assign(env, { SMTP_URL: smtp.url(), MAIL_FROM });
  return {
    twilio, vonage, smtp, port, env,
    async stop() {
      await Promise.all([twilio.stop(), vonage.stop(), smtp.stop()]);
    },
  };
}
