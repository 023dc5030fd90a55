import type { RenderContext } from "./channel";
import { locales, type LocaleMessages, type VoiceSpec } from "./locales";

/** Kept for existing imports: the wording per base language. */
export type Templates = LocaleMessages;
export const templates = locales;

const baseOf = (tag: string) => tag.split(/[-_]/)[0].toLowerCase();

/** The closest locale we have: "pt-BR" → "pt" → the app default → "en". */
export function resolveLocale(requested: string | null | undefined, appDefault: string | null | undefined = "en"): string {
  for (const candidate of [requested, appDefault]) {
    if (candidate && locales[baseOf(candidate)]) return baseOf(candidate);
  }
  return "en";
}

/**
 * The tag to record on a verification: the requested one when we speak its language (keeping
 * its region, which picks the voice: "pt-PT" vs "pt-BR"), else the app's default, else "en".
 */
export function pickLocale(requested: string | null | undefined, appDefault: string | null | undefined): string {
  for (const candidate of [requested, appDefault]) {
    if (candidate && locales[baseOf(candidate)]) return candidate;
  }
  return "en";
}

/** The voice for a tag: the region's variant when we have one ("en-GB"), else the language's default. */
export function voiceFor(tag: string | null | undefined, appDefault?: string | null): VoiceSpec {
  const chosen = pickLocale(tag, appDefault);
  const spec = locales[baseOf(chosen)].voice;
  const region = chosen.split(/[-_]/).slice(1).find((p) => /^([A-Za-z]{2}|\d{3})$/.test(p));
  const variant = region ? spec.variants?.[`${baseOf(chosen)}-${region.toUpperCase()}`] : undefined;
  return variant ?? { language: spec.language, twilioVoice: spec.twilioVoice, twilioLanguage: spec.twilioLanguage };
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? "");
}

/**
 * Collapses control characters and line breaks to single spaces: an app name or payee with a
 * newline must not be able to forge a line of its own (a fake `@domain #code` WebOTP line).
 */
export function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, " ").trim();
}

export interface MessageValues extends Record<string, string> {
  app: string; code: string; minutes: string; amount: string; payee: string;
}

/** The placeholder values of one message, made safe to place on a line. */
export function messageValues(ctx: RenderContext, appName = oneLine(ctx.appName)): MessageValues {
  return {
    app: appName,
    code: ctx.code,
    minutes: String(Math.max(1, Math.round(ctx.ttlSeconds / 60))),
    amount: ctx.transaction ? oneLine(ctx.transaction.amount) : "",
    payee: ctx.transaction ? oneLine(ctx.transaction.payee) : "",
  };
}

/** The wording for a render: the verification's locale, then the app default when given, then English. */
export function messagesFor(ctx: RenderContext): LocaleMessages {
  return locales[resolveLocale(ctx.locale, ctx.defaultLocale)];
}

/** The WhatsApp template language for a tag: the region's variant when WhatsApp has one ("pt-PT" → "pt_PT"), else the language's default. */
export function whatsappLanguageFor(tag: string | null | undefined, appDefault?: string | null): string {
  const chosen = pickLocale(tag, appDefault);
  const spec = locales[baseOf(chosen)].whatsappTemplate;
  const region = chosen.split(/[-_]/).slice(1).find((p) => /^[A-Za-z]{2}$/.test(p));
  return (region && spec.variants?.[`${baseOf(chosen)}-${region.toUpperCase()}`]) || spec.language;
}
