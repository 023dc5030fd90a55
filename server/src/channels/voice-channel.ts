import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { fill, messagesFor, messageValues, voiceFor } from "./templates";

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** "123456" → "1, 2, 3, 4, 5, 6": each digit read on its own, with a pause after it. */
export const spokenDigits = (code: string) => Array.from(code).join(", ");

/**
 * VOICE: a greeting that names the app (and the payment), the digits one by one, slowly, a
 * pause, the digits again, and goodbye. Rendered as a plain script (any vendor's TTS) and as
 * TwiML for Twilio: `<Say>` in the locale's Polly voice, whose SSML `<prosody rate="slow">`
 * slows the digits down, and `<Pause>` between the two readings.
 */
export class VoiceChannel implements ChannelStrategy {
  readonly channel = Channel.VOICE;

  render(ctx: RenderContext): RenderedMessage {
    const t = messagesFor(ctx);
    const values = messageValues(ctx);
    const voice = voiceFor(ctx.locale, ctx.defaultLocale);
    const intro = fill(ctx.transaction ? t.voiceIntroTransaction : t.voiceIntro, values);
    const repeat = fill(t.voiceRepeat, values);
    const digits = spokenDigits(ctx.code);
    const script = `${intro} ${digits}. ${repeat} ${digits}. ${t.voiceGoodbye}`;

    const say = (inner: string) =>
      `<Say voice="${escapeXml(voice.twilioVoice)}" language="${escapeXml(voice.twilioLanguage ?? voice.language)}">${inner}</Say>`;
    const slowDigits = `<prosody rate="slow">${escapeXml(digits)}</prosody>`;
    const twiml =
      `<?xml version="1.0" encoding="UTF-8"?><Response>` +
      `<Pause length="1"/>` +
      say(`${escapeXml(intro)} ${slowDigits}.`) +
      `<Pause length="2"/>` +
      say(`${escapeXml(repeat)} ${slowDigits}.`) +
      `<Pause length="1"/>` +
      say(escapeXml(t.voiceGoodbye)) +
      `</Response>`;
    return { channel: Channel.VOICE, to: ctx.to, text: script, voice: { script, language: voice.language, twiml } };
  }
}
