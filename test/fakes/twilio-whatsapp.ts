/**
 * The WhatsApp side of the Twilio stand-in: Messages sent to `whatsapp:` addresses with an
 * approved Content template (ContentSid + ContentVariables), the Content API lookup
 * (GET /v1/Content/{sid}, served on the same stand-in since the gateway maps both hosts onto
 * TWILIO_API_BASE_URL), and WhatsApp's status sequence (sent, delivered, read).
 *
 * What is faithful (Twilio docs: WhatsApp with Content templates; errors 21655, 21656, 63016):
 *  - `From` and `To` both carry the `whatsapp:` prefix; a bare number on one side is 21910
 *    ("Invalid From and To pair").
 *  - A business-initiated message needs an approved template: a Body without ContentSid is
 *    accepted and then fails with 63016 (outside the 24-hour window), as at Twilio.
 *  - An unknown ContentSid is 21655; ContentVariables that aren't a JSON object of strings are 21656.
 *  - The template's text with {{n}} replaced is what the handset shows; the stand-in records it
 *    as `body`, so tests read the code the way a person would.
 *  - Callbacks carry ChannelPrefix, ChannelInstallSid and ChannelToAddress beside the usual params.
 */
import { randomBytes } from "node:crypto";
import type { TwilioErrorSpec } from "./twilio-fake";

export interface TwilioContentTemplate {
  sid: string;
  language: string;
  /** e.g. "whatsapp/authentication"; its body is what the handset shows. */
  type?: string;
  body: string;
}

/** The authentication template Meta fixes (the code in {{1}}), as Twilio creates it. */
export const AUTH_TEMPLATE_BODY = "*{{1}}* is your verification code. For your security, do not share this code.";

export const newContentSid = () => "HX" + randomBytes(16).toString("hex");

export const isWhatsApp = (address: string | undefined) => !!address && address.startsWith("whatsapp:");

/** Validation of a WhatsApp send; null when Twilio would accept it (it may still fail later, see `deferredFailure`). */
export function validateWhatsApp(p: Record<string, string>, contents: Map<string, TwilioContentTemplate>): TwilioErrorSpec | null {
  if (!isWhatsApp(p.To) || !isWhatsApp(p.From)) return { status: 400, code: 21910, message: "Invalid From and To pair. From and To should be of the same channel" };
  if (!/^whatsapp:\+[1-9]\d{6,14}$/.test(p.To)) return { status: 400, code: 21211, message: `The 'To' number ${p.To} is not a valid phone number.` };
  if (p.ContentSid !== undefined) {
    if (!contents.has(p.ContentSid)) return { status: 400, code: 21655, message: "The ContentSid is Invalid." };
    if (p.ContentVariables !== undefined && contentVariables(p.ContentVariables) === null) {
      return { status: 400, code: 21656, message: "The ContentVariables Parameter is invalid." };
    }
    return null;
  }
  if (!p.Body) return { status: 400, code: 21602 };
  return null;
}

function contentVariables(raw: string): Record<string, string> | null {
  try {
    const v = JSON.parse(raw);
    if (!v || typeof v !== "object" || Array.isArray(v) || !Object.values(v).every((x) => typeof x === "string")) return null;
    return v as Record<string, string>;
  } catch {
    return null;
  }
}

/** What the handset shows: the template with its variables filled in. */
export function renderContent(t: TwilioContentTemplate, rawVariables: string | undefined): string {
  const vars = rawVariables ? contentVariables(rawVariables) ?? {} : {};
  return t.body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => vars[n] ?? "");
}

/** A free-form Body (no template) can't open a conversation: Twilio accepts it, then reports 63016. */
export function deferredFailure(p: Record<string, string>): { status: "failed"; errorCode: string } | null {
  return p.ContentSid === undefined ? { status: "failed", errorCode: "63016" } : null;
}

/** GET /v1/Content/{sid}: the resource as the Content API returns it. */
export function contentJson(accountSid: string, t: TwilioContentTemplate, baseUrl: string) {
  const at = new Date(0).toISOString();
  return {
    sid: t.sid, account_sid: accountSid, friendly_name: `otp_${t.language}`, language: t.language,
    variables: { 1: "123456" },
    types: { [t.type ?? "whatsapp/authentication"]: { body: t.body, add_security_recommendation: true, code_expiration_minutes: 5 } },
    url: `${baseUrl}/v1/Content/${t.sid}`, date_created: at, date_updated: at,
    links: { approval_fetch: `${baseUrl}/v1/Content/${t.sid}/ApprovalRequests` },
  };
}

/** The params a WhatsApp status callback adds to the SMS ones. */
export function whatsappCallbackExtras(to: string): Record<string, string> {
  return { ChannelPrefix: "whatsapp", ChannelInstallSid: "XE" + "0".repeat(32), ChannelToAddress: to.replace(/^whatsapp:/, "") };
}
