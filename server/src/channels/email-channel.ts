import { Channel } from "../verification/enums";
import type { ChannelStrategy, RenderContext, RenderedMessage } from "./channel";
import { fill, resolveLocale, templates } from "./templates";

const escapeHtml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** EMAIL: subject, a text part and a plain HTML part with no remote images (nothing that tracks or breaks offline). */
export class EmailChannel implements ChannelStrategy {
  readonly channel = Channel.EMAIL;

  render(ctx: RenderContext): RenderedMessage {
    const t = templates[resolveLocale(ctx.locale, "en")];
    const values = {
      app: ctx.appName, code: ctx.code, minutes: String(Math.max(1, Math.round(ctx.ttlSeconds / 60))),
      amount: ctx.transaction?.amount ?? "", payee: ctx.transaction?.payee ?? "",
    };
    const paragraphs = [fill(t.emailBody, values)];
    if (ctx.transaction) paragraphs.push(fill(t.emailTransaction, values));
    paragraphs.push(fill(t.emailIgnore, values));
    const html =
      `<!doctype html><html><body style="font-family:sans-serif">` +
      `<p style="font-size:28px;letter-spacing:4px;font-weight:bold">${escapeHtml(ctx.code)}</p>` +
      paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("") +
      `</body></html>`;
    return { channel: Channel.EMAIL, to: ctx.to, subject: fill(t.emailSubject, values), text: paragraphs.join("\n\n"), html };
  }
}
