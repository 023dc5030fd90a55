import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { rcsTexts } from "./locales/rcs-texts";
import { fill, messageValues, resolveLocale } from "./templates";

/**
 * RCS: a text from the brand's verified RCS agent, shown in the phone's messaging app with the
 * brand's name and logo. Our own words (no template to approve, unlike WhatsApp), one line, the
 * code first, no link. The vendors send `text` as an RCS text message; when Twilio's Messaging
 * Service falls back to SMS itself, the same text goes out as an SMS (see docs/delivery.md).
 */
export class RcsChannel implements ChannelStrategy {
  readonly channel = Channel.RCS;

  render(ctx: RenderContext): RenderedMessage {
    const t = rcsTexts[resolveLocale(ctx.locale, ctx.defaultLocale) as keyof typeof rcsTexts] ?? rcsTexts.en;
    return { channel: Channel.RCS, to: ctx.to, text: fill(ctx.transaction ? t.rcsTransaction : t.rcs, messageValues(ctx)) };
  }
}
