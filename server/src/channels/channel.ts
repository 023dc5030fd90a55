import type { AppSettings } from "../apps/app.entity";
import type { Channel } from "../verification/enums";

/** Everything a channel may say: never more than the person needs to act on the code. */
export interface RenderContext {
  to: string;
  code: string;
  appName: string;
  locale: string;
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
  voice?: { script: string; language: string; twiml: string };
}

/** What to say and to whom, per channel. Providers only carry what a channel rendered. */
export interface ChannelStrategy {
  readonly channel: Channel;
  render(ctx: RenderContext): RenderedMessage;
}
