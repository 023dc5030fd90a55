import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { isSmsAppHash, isWebOtpDomain } from "./channel-settings";
import { fill, messagesFor, messageValues, oneLine } from "./templates";
import { smsSegments } from "./sms-segments";

/** Longest app name an SMS carries; longer names are cut (a brand is recognisable by then). */
export const SMS_APP_NAME_MAX = 30;

const TRAILING = /[\s.,:;&+-]+$/;

/**
 * At most `n` characters (code points, never half a surrogate pair): at a word boundary when
 * one keeps a third of the room or more, so "Contoso International Banking Group" becomes
 * "Contoso International Banking", not "Contoso International Banking Gr".
 */
function cap(s: string, n: number): string {
  const chars = Array.from(s);
  if (chars.length <= n) return s;
  const head = chars.slice(0, n + 1).join("");
  const space = head.lastIndexOf(" ");
  return (space >= n / 3 ? head.slice(0, space) : chars.slice(0, n).join("")).replace(TRAILING, "");
}

/** Shorter forms of a (capped) name, longest first, whole words only, down to its first word. */
function shorterForms(name: string): string[] {
  const words = name.split(" ");
  const forms: string[] = [];
  for (let k = words.length - 1; k >= 1; k--) forms.push(words.slice(0, k).join(" ").replace(TRAILING, ""));
  return forms.filter((f) => f.length > 0);
}

/**
 * SMS: the code first (so it shows in notification previews), the app's name, then the
 * optional Android SMS Retriever hash line and the optional WebOTP line (`@domain #code`, which
 * the WebOTP spec requires to be the last line).
 *
 * One segment matters (cost, and the SMS Retriever's 140-byte limit): the full wording is
 * used when it fits, then the short wording, then the short wording with the app name cut
 * by whole words (never below its first word). A message that can't fit even so (a long
 * payee, a long domain, a script that needs UCS-2) goes out whole in several segments: the
 * amount and payee are never cut, and neither is the brand mangled.
 */
export class SmsChannel implements ChannelStrategy {
  readonly channel = Channel.SMS;

  render(ctx: RenderContext): RenderedMessage {
    const t = messagesFor(ctx);
    const tail: string[] = [];
    if (isSmsAppHash(ctx.settings.smsAppHash)) tail.push(ctx.settings.smsAppHash);
    if (isWebOtpDomain(ctx.settings.webOtpDomain)) tail.push(`@${ctx.settings.webOtpDomain.toLowerCase()} #${ctx.code}`);
    const [full, short] = ctx.transaction ? [t.smsTransaction, t.smsTransactionShort] : [t.sms, t.smsShort];
    const name = oneLine(ctx.appName);
    const compose = (template: string, app: string) => [fill(template, messageValues(ctx, app)), ...tail].join("\n");
    const fits = (text: string) => smsSegments(text).segments === 1;

    const capped = cap(name, SMS_APP_NAME_MAX);
    const candidates = [compose(full, capped), compose(short, capped), ...shorterForms(capped).map((n) => compose(short, n))];
    return { channel: Channel.SMS, to: ctx.to, text: candidates.find(fits) ?? candidates[0] };
  }
}
