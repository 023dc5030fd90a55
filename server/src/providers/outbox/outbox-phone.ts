import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { DeliveryStatus } from "../../verification/enums";
import type { StatusReport } from "../provider";

/**
 * Destinations the outbox never delivers to, so that a developer sees the failure path
 * (UNDELIVERED, the app's fallback or next step, a FAILED verification). +1 500 555 0001 is the
 * number Twilio's test credentials also treat as unreachable; the e-mail address is under
 * example.com (RFC 2606), which never receives mail. Both are ordinary destinations
 * everywhere else: only the outbox reads this list.
 */
export const OUTBOX_UNDELIVERABLE = ["+15005550001", "undeliverable@example.com"] as const;

export const OUTBOX_UNDELIVERABLE_CODE = "OUTBOX_UNDELIVERABLE";

type DueRow = { id: string; report_status: string };

/**
 * Plays the phone for the development outbox: each kept message is reported DELIVERED (or
 * UNDELIVERED, for OUTBOX_UNDELIVERABLE) after OUTBOX_DELIVERY_DELAY_MS, through `report` —
 * the vendor-callback path (StatusCallbacks.apply), so delivery events, subscriptions,
 * webhooks, fallbacks and the timeline see it exactly as they see a vendor's receipt.
 *
 * The report is due as a column of the outbox row (report_due_at), not only as a timer: a
 * timer gives the delay, and the worker's periodic sweep reports whatever is past due and
 * still unreported (a process that stopped before its timers fired). The row is cleared only
 * after the report, and a report is idempotent, so a crash in between repeats it harmlessly.
 */
export class OutboxPhone {
  /** Set once the status-callback path exists (it is built after the providers). Without it nothing is reported. */
  report?: (r: StatusReport) => Promise<unknown>;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `delayMs` null: the outbox plays nothing, its messages stay SENT (the default under NODE_ENV=production). */
  constructor(private readonly ds: DataSource, readonly delayMs: number | null, private readonly log: Logger) {}

  /** The status a message to `to` will be reported with, or null when the outbox reports nothing. */
  outcomeFor(to: string): DeliveryStatus | null {
    if (this.delayMs === null) return null;
    return (OUTBOX_UNDELIVERABLE as readonly string[]).includes(to.toLowerCase()) ? DeliveryStatus.UNDELIVERED : DeliveryStatus.DELIVERED;
  }

  /** Reports the kept message `rowId` once its delay has passed. */
  schedule(rowId: string): void {
    if (this.delayMs === null) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.reportDue(`id = $1`, [rowId]);
    }, this.delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** The safety net (the worker's sweep): every report past due, oldest first. */
  async sweep(): Promise<void> {
    await this.reportDue(`report_due_at <= now() ORDER BY report_due_at LIMIT 500`, []);
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async reportDue(where: string, params: unknown[]): Promise<void> {
    if (!this.report) return;
    try {
      const rows: DueRow[] = await this.ds.query(
        `SELECT id, report_status FROM outbox_messages WHERE report_due_at IS NOT NULL AND ${where}`, params,
      );
      for (const row of rows) {
        const undelivered = row.report_status === DeliveryStatus.UNDELIVERED;
        await this.report({
          provider: "outbox", providerMessageId: `outbox-${row.id}`, status: row.report_status as DeliveryStatus,
          errorCode: undelivered ? OUTBOX_UNDELIVERABLE_CODE : null,
          errorMessage: undelivered ? "The outbox's undeliverable test destination never receives messages" : null,
          raw: { outbox: "played", status: row.report_status },
        });
        await this.ds.query(`UPDATE outbox_messages SET report_due_at = NULL WHERE id = $1`, [row.id]);
      }
    } catch (err) {
      // Left due: the next sweep tries again.
      this.log.warn({ err: (err as Error).message }, "outbox: reporting a played delivery status failed");
    }
  }
}
