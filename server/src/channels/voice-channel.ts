import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { fill, resolveLocale, templates } from "./templates";

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * VOICE: a script that reads the code digit by digit, with pauses, twice; rendered as TwiML
 * `<Say>` for Twilio (other providers take the plain script).
 */
export class VoiceChannel implements ChannelStrategy {
  readonly channel = Channel.VOICE;

  render(ctx: RenderContext): RenderedMessage {
    const locale = resolveLocale(ctx.locale, "en");
    const t = templates[locale];
    const digits = ctx.code.split("").join(", ");
    const script = fill(ctx.transaction ? t.voiceTransaction : t.voice, {
      app: ctx.appName, digits, amount: ctx.transaction?.amount ?? "", payee: ctx.transaction?.payee ?? "",
    });
    const twiml = `<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/><Say language="${locale}">${escapeXml(script)}</Say></Response>`;
    return { channel: Channel.VOICE, to: ctx.to, text: script, voice: { script, language: locale, twiml } };
  }
}
