import { createPrivateKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

/**
 * The WhatsApp variables: Twilio's sender and approved Content template, Vonage's sender,
 * template and Messages API credentials. Kept beside env.ts so the channel's rules read in
 * one place; env.ts spreads the shape and calls the checks.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const E164 = /^\+[1-9]\d{6,14}$/;
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
/** A locale key of a template list: "*", "en", "pt-BR". */
const LOCALE_KEY = /^(\*|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$/;

/** "whatsapp:+14155238886" or "+14155238886" → "+14155238886". */
export function bareWhatsAppNumber(v: string): string {
  return v.replace(/^whatsapp:/i, "").trim();
}

/**
 * `HX…` alone, or one per locale: `en:HX…,pt-BR:HX…,*:HX…` (Twilio's Content templates have
 * one language each). Returns the map with "*" as the default, or null when malformed.
 */
export function parseContentSids(v: string): Record<string, string> | null {
  if (CONTENT_SID.test(v)) return { "*": v };
  const out: Record<string, string> = {};
  for (const part of v.split(",").map((s) => s.trim()).filter(Boolean)) {
    const i = part.lastIndexOf(":");
    const [key, sid] = [part.slice(0, i).trim(), part.slice(i + 1).trim()];
    if (i < 1 || !LOCALE_KEY.test(key) || !CONTENT_SID.test(sid) || out[key.toLowerCase()]) return null;
    out[key.toLowerCase()] = sid;
  }
  return Object.keys(out).length ? out : null;
}

/** The PEM itself (with `\n` escapes as .env files often carry it) or the path of a PEM file; null when neither is a private key. */
export function readPrivateKey(v: string): string | null {
  const text = v.includes("-----BEGIN") ? v.replace(/\\n/g, "\n") : existsSync(v) ? readFileSync(v, "utf8") : null;
  if (!text) return null;
  try {
    createPrivateKey(text);
    return text;
  } catch {
    return null;
  }
}

export const whatsappEnvShape = {
  TWILIO_WHATSAPP_FROM: optionalString.pipe(
    z.string().transform(bareWhatsAppNumber).pipe(z.string().regex(E164, "must be the sender's number in E.164, with or without whatsapp:")).optional(),
  ),
  TWILIO_WHATSAPP_CONTENT_SID: optionalString.pipe(
    z.string().refine((v) => parseContentSids(v) !== null, "must be a Content SID (HX + 32 hex) or a list like en:HX…,es:HX…,*:HX…").optional(),
  ),
  VONAGE_WHATSAPP_FROM: optionalString.pipe(
    z.string().transform((v) => bareWhatsAppNumber(v).replace(/^\+/, "")).pipe(z.string().regex(/^[1-9]\d{6,14}$/, "must be the WhatsApp sender's number in E.164")).optional(),
  ),
  /** The name of the approved WhatsApp authentication template at Vonage (its parameter {{1}} is the code). */
  VONAGE_WHATSAPP_TEMPLATE: optionalString.pipe(z.string().regex(/^[a-z0-9_:]{1,512}$/, "must be a WhatsApp template name (lower case, digits, _)").optional()),
  VONAGE_APPLICATION_ID: optionalString.pipe(z.string().uuid("must be the Vonage application's id (a UUID)").optional()),
  VONAGE_PRIVATE_KEY: optionalString,
};

type WhatsAppEnv = { [K in keyof typeof whatsappEnvShape]?: z.output<(typeof whatsappEnvShape)[K]> } & {
  TWILIO_ACCOUNT_SID?: string; TWILIO_AUTH_TOKEN?: string; VONAGE_API_KEY?: string; VONAGE_API_SECRET?: string; VONAGE_SIGNATURE_SECRET?: string;
};

/** Problems with the WhatsApp variables, each on the variable to fix (never its value). */
export function whatsappEnvProblems(env: WhatsAppEnv): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  if (!!env.TWILIO_WHATSAPP_FROM !== !!env.TWILIO_WHATSAPP_CONTENT_SID) {
    problems.push({ path: "TWILIO_WHATSAPP_FROM", message: "TWILIO_WHATSAPP_FROM and TWILIO_WHATSAPP_CONTENT_SID go together" });
  }
  if (env.TWILIO_WHATSAPP_FROM && !(env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN)) {
    problems.push({ path: "TWILIO_WHATSAPP_FROM", message: "needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" });
  }
  if (env.VONAGE_WHATSAPP_FROM || env.VONAGE_WHATSAPP_TEMPLATE) {
    if (!env.VONAGE_WHATSAPP_FROM || !env.VONAGE_WHATSAPP_TEMPLATE) {
      problems.push({ path: "VONAGE_WHATSAPP_FROM", message: "VONAGE_WHATSAPP_FROM and VONAGE_WHATSAPP_TEMPLATE go together" });
    }
    if (!(env.VONAGE_APPLICATION_ID && env.VONAGE_PRIVATE_KEY) && !(env.VONAGE_API_KEY && env.VONAGE_API_SECRET)) {
      problems.push({ path: "VONAGE_WHATSAPP_FROM", message: "needs VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY, or VONAGE_API_KEY and VONAGE_API_SECRET" });
    }
    // A forged "undeliverable" would start the SMS fallback (and cost a message): callbacks must be verifiable.
    if (!env.VONAGE_SIGNATURE_SECRET) {
      problems.push({ path: "VONAGE_SIGNATURE_SECRET", message: "is required with VONAGE_WHATSAPP_FROM (it verifies the Messages API's signed status callbacks)" });
    }
  }
  if (!!env.VONAGE_APPLICATION_ID !== !!env.VONAGE_PRIVATE_KEY) {
    problems.push({ path: "VONAGE_APPLICATION_ID", message: "VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY go together" });
  }
  if (env.VONAGE_PRIVATE_KEY && readPrivateKey(env.VONAGE_PRIVATE_KEY) === null) {
    problems.push({ path: "VONAGE_PRIVATE_KEY", message: "must be a PEM private key, or the path of a file holding one" });
  }
  return problems;
}
