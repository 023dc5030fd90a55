import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { fill, resolveLocale, templates } from "./templates";

/**
 * SMS: one short line with the code first (so it shows in notification previews), then the
 * optional WebOTP line (`@domain #code`, which must be last) and the Android SMS Retriever hash.
 */
export class SmsChannel implements ChannelStrategy {
  readonly channel = Channel.SMS;

  render(ctx: RenderContext): RenderedMessage {
    const t = templates[resolveLocale(ctx.locale, "en")];
    const values = {
      app: ctx.appName, code: ctx.code, minutes: String(Math.max(1, Math.round(ctx.ttlSeconds / 60))),
      amount: ctx.transaction?.amount ?? "", payee: ctx.transaction?.payee ?? "",
    };
    const lines = [fill(ctx.transaction ? t.smsTransaction : t.sms, values)];
    if (ctx.settings.smsAppHash) lines.push(ctx.settings.smsAppHash);
    if (ctx.settings.webOtpDomain) lines.push(`@${ctx.settings.webOtpDomain} #${ctx.code}`);
    return { channel: Channel.SMS, to: ctx.to, text: lines.join("\n") };
  }
}
