import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { fill, messagesFor, messageValues } from "./templates";

export const escapeHtml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * EMAIL: a subject with the code and the app's name, a text part and a self-contained HTML
 * part: inline styles only, no remote images or fonts (nothing that tracks the reader or
 * breaks offline), every interpolated value escaped, `lang` and `dir` set for the locale.
 */
export class EmailChannel implements ChannelStrategy {
  readonly channel = Channel.EMAIL;

  render(ctx: RenderContext): RenderedMessage {
    const t = messagesFor(ctx);
    const values = messageValues(ctx);
    const paragraphs = [fill(t.emailBody, values)];
    if (ctx.transaction) paragraphs.push(fill(t.emailTransaction, values));
    paragraphs.push(fill(t.emailIgnore, values));
    const subject = fill(ctx.transaction ? t.emailSubjectTransaction : t.emailSubject, values);
    const html =
      `<!doctype html><html lang="${t.lang}" dir="${t.dir}"><head><meta charset="utf-8">` +
      `<meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>` +
      `<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;color:#1a1a1a;background:#ffffff">` +
      `<p style="margin:0 0 8px;font-size:16px;font-weight:bold">${escapeHtml(values.app)}</p>` +
      `<p style="margin:0 0 16px;font-size:32px;letter-spacing:6px;font-weight:bold;font-family:Consolas,monospace" dir="ltr">${escapeHtml(ctx.code)}</p>` +
      paragraphs.map((p) => `<p style="margin:0 0 12px;font-size:14px;line-height:1.5">${escapeHtml(p)}</p>`).join("") +
      `</body></html>`;
    return { channel: Channel.EMAIL, to: ctx.to, subject, text: `${values.app}\n\n${paragraphs.join("\n\n")}\n`, html };
  }
}
