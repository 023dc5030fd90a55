import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { Channel } from "../../verification/enums";
import type { OutboundMessage, Provider, SendResult } from "../provider";

/**
 * The development provider: keeps each message in the database (shown in the dashboard's
 * outbox) and prints it to the log. This is the one place a code is ever logged, which is why
 * it is refused under NODE_ENV=production unless OUTBOX_IN_PRODUCTION=true.
 */
export class OutboxProvider implements Provider {
  readonly name = "outbox";
  readonly channels = [Channel.SMS, Channel.VOICE, Channel.EMAIL, Channel.WHATSAPP] as const;

  constructor(private readonly ds: DataSource, private readonly log: Logger) {}

  async send(m: OutboundMessage): Promise<SendResult> {
    const body = m.channel === Channel.VOICE ? m.voice?.script ?? m.text : m.text;
    const [row] = await this.ds.query(
      `INSERT INTO outbox_messages (delivery_id, verification_id, app_id, channel, recipient, subject, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [m.deliveryId, m.verificationId, m.appId, m.channel, m.to, m.subject ?? null, body],
    );
    this.log.info({ outbox: { channel: m.channel, to: m.to, subject: m.subject, body } }, `outbox: ${m.channel} to ${m.to}: ${body}`);
    return { providerMessageId: `outbox-${row.id}` };
  }
}
