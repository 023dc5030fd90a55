import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { telegramWording, type TelegramWording } from "./locales/telegram";
import { fill, messageValues, resolveLocale } from "./templates";

/**
 * TELEGRAM: Telegram's Gateway API delivers the code in Telegram's own message, from its
 * official "Verification Codes" chat; we choose only the code and how long it is shown as valid
 * (`ttl`, 30–3600 s as the API allows). So the vendor gets the code and the ttl; the text, in
 * the locale's words, is what the outbox and a bring-your-own vendor carry. Payment details
 * can't go into Telegram's message (see docs/delivery.md).
 */
export class TelegramChannel implements ChannelStrategy {
  readonly channel = Channel.TELEGRAM;

  render(ctx: RenderContext): RenderedMessage {
    const t = (telegramWording as Record<string, TelegramWording>)[resolveLocale(ctx.locale, ctx.defaultLocale)] ?? telegramWording.en;
    const text = fill(ctx.transaction ? t.telegramTransaction : t.telegram, messageValues(ctx));
    return { channel: Channel.TELEGRAM, to: ctx.to, text, telegram: { code: ctx.code, ttlSeconds: telegramTtl(ctx.ttlSeconds) } };
  }
}

/** The Gateway API's `ttl` bounds: Telegram refuses a value outside them (TTL_INVALID). */
export const TELEGRAM_TTL_MIN = 30;
export const TELEGRAM_TTL_MAX = 3600;

/** The verification's validity within Telegram's bounds (a code valid 10 s is still shown 30 s; one valid a day, an hour). */
export function telegramTtl(seconds: number): number {
  return Math.min(TELEGRAM_TTL_MAX, Math.max(TELEGRAM_TTL_MIN, Math.round(seconds)));
}
