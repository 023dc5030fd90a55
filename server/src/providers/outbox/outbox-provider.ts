import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { Channel } from "../../verification/enums";
import { maskDestination } from "../../verification/destination";
import type { OutboundMessage, Provider, SendResult } from "../provider";
import type { OutboxPhone } from "./outbox-phone";

/**
 * The development provider: keeps each message in the database (shown in the dashboard's
 * outbox) and, outside production, prints it to the log: the one place a code is ever logged.
 * Under NODE_ENV=production it runs only with OUTBOX_IN_PRODUCTION=true, and then its log line
 * names the message and its masked recipient, never the text: logs travel to places (log
 * shippers, support tickets) that the ADMIN-only, audited outbox page does not. With a phone
 * (OUTBOX_DELIVERY_DELAY_MS), each message is later reported delivered as a vendor would.
 */
export class OutboxProvider implements Provider {
  readonly name = "outbox";
  // Every channel: the outbox and the test stand-in carry whatever a channel rendered.
  readonly channels: readonly Channel[] = Object.values(Channel);

  constructor(private readonly ds: DataSource, private readonly log: Logger, private readonly logText = true, readonly phone?: OutboxPhone) {}

  async send(m: OutboundMessage): Promise<SendResult> {
    const body = m.channel === Channel.VOICE ? m.voice?.script ?? m.text : m.text;
    const outcome = this.phone?.outcomeFor(m.to) ?? null;
    const [row] = await this.ds.query(
      `INSERT INTO outbox_messages (delivery_id, verification_id, app_id, channel, recipient, subject, body, report_status, report_due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text, CASE WHEN $8::text IS NULL THEN NULL ELSE now() + make_interval(secs => $9::float8 / 1000) END)
       RETURNING id`,
      [m.deliveryId, m.verificationId, m.appId, m.channel, m.to, m.subject ?? null, body, outcome, this.phone?.delayMs ?? 0],
    );
    if (this.logText) this.log.info({ outbox: { channel: m.channel, to: m.to, subject: m.subject, body } }, `outbox: ${m.channel} to ${m.to}: ${body}`);
    else this.log.info({ outbox: { channel: m.channel, to: maskDestination(m.to), messageId: row.id, deliveryId: m.deliveryId } }, `outbox: ${m.channel} message stored (its text is not logged in production)`);
    if (outcome) this.phone!.schedule(row.id);
    return { providerMessageId: `outbox-${row.id}` };
  }

  close(): void {
    this.phone?.close();
  }
}
