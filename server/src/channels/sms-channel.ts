import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { isSmsAppHash, isWebOtpDomain } from "./channel-settings";
import { fill, messagesFor, messageValues, oneLine } from "./templates";
import { smsSegments } from "./sms-segments";

/** Longest app name an SMS carries; longer names are cut (a brand is recognisable by then). */
export const SMS_APP_NAME_MAX = 30;
/** Shortest we cut a name down to in order to keep one segment. */
const SMS_APP_NAME_MIN = 8;

/**
 * At most `n` characters (code points, never half a surrogate pair): at a word boundary when
 * one keeps a third of the room or more, so "Contoso International Banking" becomes "Contoso
 * International", not "Contoso Internationa"; without trailing spaces or punctuation.
 */
function cut(s: string, n: number): string {
  const chars = Array.from(s);
  if (chars.length <= n) return s;
  let head = chars.slice(0, n + 1).join("");
  const space = head.lastIndexOf(" ");
  head = space >= n / 3 ? head.slice(0, space) : chars.slice(0, n).join("");
  return head.replace(/[\s.,:;&+-]+$/, "");
}

/**
 * SMS: the code first (so it shows in notification previews), the app's name, then the
 * optional Android SMS Retriever hash line and the optional WebOTP line (`@domain #code`, which
 * the WebOTP spec requires to be the last line).
 *
 * One segment matters (cost, and the SMS Retriever's 140-byte limit): the full wording is
 * used when it fits, then the short wording, then the short wording with the app name cut.
 * A message that can't fit even so (a long payee, a long domain) goes out whole in several
 * segments: the amount and payee are never cut.
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

    const capped = cut(name, SMS_APP_NAME_MAX);
    let text = [compose(full, capped), compose(short, capped)].find(fits);
    for (let n = Array.from(capped).length - 1; !text && n >= SMS_APP_NAME_MIN; n--) {
      const candidate = compose(short, cut(name, n));
      if (fits(candidate)) text = candidate;
    }
    return { channel: Channel.SMS, to: ctx.to, text: text ?? compose(full, capped) };
  }
}
