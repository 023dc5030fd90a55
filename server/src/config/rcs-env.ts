import { z } from "zod";
import { readPrivateKey } from "./whatsapp-env";

/**
 * The RCS variables: Twilio's Messaging Service holding the RCS sender, Vonage's RCS agent
 * (sent with the Messages API credentials WhatsApp uses). Kept beside env.ts so the channel's
 * rules read in one place; env.ts spreads the shape and calls the checks.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

export const rcsEnvShape = {
  /** A Messaging Service whose sender pool holds the RCS sender (and, for Twilio's own SMS fallback, SMS senders). */
  TWILIO_RCS_MESSAGING_SERVICE_SID: optionalString.pipe(z.string().regex(/^MG[0-9a-fA-F]{32}$/, "must be a Messaging Service SID (MG + 32 hex)").optional()),
  /** The RCS agent's id at Vonage, the `from` of each RCS message. */
  VONAGE_RCS_FROM: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be the RCS agent's id (letters, digits, _ . -)").optional()),
};

type RcsEnv = { [K in keyof typeof rcsEnvShape]?: z.output<(typeof rcsEnvShape)[K]> } & {
  TWILIO_ACCOUNT_SID?: string; TWILIO_AUTH_TOKEN?: string;
  VONAGE_API_KEY?: string; VONAGE_API_SECRET?: string; VONAGE_SIGNATURE_SECRET?: string; VONAGE_APPLICATION_ID?: string; VONAGE_PRIVATE_KEY?: string;
};

/** Problems with the RCS variables, each on the variable to fix (never its value). */
export function rcsEnvProblems(env: RcsEnv): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (env.TWILIO_RCS_MESSAGING_SERVICE_SID && !(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN)) {
    problems.push({ path: "TWILIO_RCS_MESSAGING_SERVICE_SID", message: "needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" });
  }
  if (env.VONAGE_RCS_FROM) {
    const jwt = env.VONAGE_APPLICATION_ID && env.VONAGE_PRIVATE_KEY && readPrivateKey(env.VONAGE_PRIVATE_KEY) !== null;
    if (!jwt && !(env.VONAGE_API_KEY && env.VONAGE_API_SECRET)) {
      problems.push({ path: "VONAGE_RCS_FROM", message: "needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY, or VONAGE_API_KEY and VONAGE_API_SECRET" });
    }
    // A forged "rejected" would start the app's fallback (and cost a message): callbacks must be verifiable.
    if (!env.VONAGE_SIGNATURE_SECRET) {
      problems.push({ path: "VONAGE_SIGNATURE_SECRET", message: "is required with VONAGE_RCS_FROM (it verifies the Messages API's signed status callbacks)" });
    }
  }
  return problems;
}
