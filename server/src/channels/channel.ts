import type { AppSettings } from "../apps/app.entity";
import type { Channel } from "../verification/enums";

/** Everything a channel may say: never more than the person needs to act on the code. */
export interface RenderContext {
  to: string;
  code: string;
  appName: string;
  /** The verification's BCP 47 tag; an unsupported one falls back to `defaultLocale`, then "en". */
  locale: string;
  /** The app's default locale (optional: verifications record a supported tag already). */
  defaultLocale?: string | null;
  ttlSeconds: number;
  purpose: string | null;
  transaction: { amount: string; payee: string } | null;
  settings: AppSettings;
}

/** A message ready for a provider: text always; subject/html for e-mail; a spoken script for voice. */
export interface RenderedMessage {
  channel: Channel;
  to: string;
  text: string;
  subject?: string;
  html?: string;
  /** `language` is BCP 47 ("pt-BR") for any vendor; `twiml` is ready for Twilio's `<Say>`. */
  voice?: { script: string; language: string; twiml: string };
  /** WhatsApp: the values an approved authentication template takes, and the template's language code ("pt_BR"). */
  whatsapp?: { code: string; appName: string; minutes: number; language: string };
  /** Telegram: the Gateway API takes the code alone (Telegram writes the message around it) and a ttl in seconds. */
  telegram?: { code: string; ttlSeconds: number };
}

/** What to say and to whom, per channel. Providers only carry what a channel rendered. */
export interface ChannelStrategy {
  readonly channel: Channel;
  render(ctx: RenderContext): RenderedMessage;
}
