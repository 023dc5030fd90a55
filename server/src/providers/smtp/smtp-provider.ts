import type { Transporter } from "nodemailer";
import type { SmtpConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "../provider";

/** Required when an SMTP provider is built, not when this file loads: a gateway without SMTP_URL never loads nodemailer (memory). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodemailer = () => require("nodemailer") as typeof import("nodemailer");

/** nodemailer's error codes for "the relay can't be reached or spoke nonsense": worth another try. */
const NETWORK_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ECONNREFUSED", "ECONNRESET", "EPROTOCOL", "ETLS"]);

/**
 * E-mail through any SMTP relay with nodemailer. SMTP_URL carries everything nodemailer's
 * connection URL understands, e.g. `smtps://user:pass@smtp.example.com:465` or
 * `smtp://relay:25?ignoreTLS=true&pool=true` (query values are nodemailer options). The relay's
 * acceptance is SENT; SMTP has no delivery receipts.
 */
export class SmtpProvider implements Provider {
  readonly name = "smtp";
  readonly channels = [Channel.EMAIL] as const;
  private readonly transporter: Transporter;

  constructor(private readonly config: SmtpConfig, timeoutMs = 10_000) {
    // Options given beside `url` apply where the URL doesn't set them.
    this.transporter = nodemailer().createTransport({
      url: config.url, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs,
    } as Parameters<ReturnType<typeof nodemailer>["createTransport"]>[0]);
  }

  /** Connects and authenticates (nodemailer's verify): a refused login is a `provider` error, an unreachable relay `transient`. */
  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (e) {
      const err = classify(e);
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `SMTP relay check failed: ${err.message}`);
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    try {
      const info = await this.transporter.sendMail({
        from: this.config.from, to: m.to, subject: m.subject, text: m.text, html: m.html,
        // Lets a bounce or a support ticket be traced back to the delivery.
        headers: { "X-OTP-Delivery-Id": m.deliveryId },
      });
      return { providerMessageId: info.messageId, status: DeliveryStatus.SENT };
    } catch (e) {
      throw classify(e);
    }
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * SMTP replies: 4xx is "try later"; 5xx on the recipient (EENVELOPE) is the address itself;
 * 5xx otherwise (auth, policy, relaying denied) is this relay's problem, so another may do.
 */
export function classify(e: unknown): ProviderError {
  const err = e as { code?: string; responseCode?: number; message?: string };
  const message = (err.message ?? "SMTP send failed").replace(/\s+/g, " ").slice(0, 500);
  const reply = typeof err.responseCode === "number" ? err.responseCode : undefined;
  if (reply !== undefined) {
    if (reply >= 400 && reply < 500) return new ProviderError("transient", String(reply), message);
    if (err.code === "EENVELOPE") return new ProviderError("permanent", String(reply), message);
    return new ProviderError("provider", String(reply), message);
  }
  if (err.code === "EAUTH") return new ProviderError("provider", "EAUTH", message);
  if (err.code && NETWORK_CODES.has(err.code)) return new ProviderError("transient", err.code, message);
  return new ProviderError("transient", err.code ?? "NETWORK", message);
}
