import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { fill, messagesFor, messageValues, whatsappLanguageFor } from "./templates";

/**
 * WHATSAPP: a business may open a conversation only with a template Meta has approved, and a
 * one-time code goes in an *authentication* template, whose wording Meta fixes ("<code> is
 * your verification code", an optional expiry line, a copy-code button). So the vendors get
 * the template's values — the code, the app's name, the validity — and the template's language
 * for the verification's locale; the text, in the locale's words, is what the person reads
 * (and what the outbox and a bring-your-own vendor carry). WhatsApp renders `*…*` as bold.
 * Payment details can't go into an authentication template: vendors sending the approved
 * template show the code alone (see docs/delivery.md).
 */
export class WhatsAppChannel implements ChannelStrategy {
  readonly channel = Channel.WHATSAPP;

  render(ctx: RenderContext): RenderedMessage {
    const t = messagesFor(ctx);
    const values = messageValues(ctx);
    const text = fill(ctx.transaction ? t.whatsappTransaction : t.whatsapp, values);
    return {
      channel: Channel.WHATSAPP, to: ctx.to, text,
      whatsapp: { code: ctx.code, appName: values.app, minutes: Number(values.minutes), language: whatsappLanguageFor(ctx.locale, ctx.defaultLocale) },
    };
  }
}
