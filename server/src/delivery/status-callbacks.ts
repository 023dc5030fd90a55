import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { StatusReport } from "../providers/provider";
import { scrubVendorRaw, scrubVendorText } from "../providers/scrub-vendor-text";
import type { Row } from "../verification/verification-view";
import type { DeliveryEvents } from "./delivery-events";
import type { Fallback } from "./fallback";
import { recordInStoredTrace } from "../observability/trace-context";

export type CallbackOutcome =
  /** The delivery moved forward; an event was appended and published. */
  | "applied"
  /** Already there or further (a duplicate, or a late `sent` after `delivered`): nothing changed. */
  | "ignored"
  /** No delivery carries this message id yet: kept, and applied once the worker records the id. */
  | "early"
  /** No delivery carries this message id, and too many such callbacks are kept already: dropped (counted). */
  | "dropped";

/** Order of progress; a final status (rank 3) never changes. */
const RANK = `CASE %s WHEN 'QUEUED' THEN 0 WHEN 'SENDING' THEN 1 WHEN 'SENT' THEN 2 ELSE 3 END`;
const rank = (expr: string) => RANK.replace("%s", expr);

/** A reported price ($8 amount, $9 currency) replaces the hand-off's (an estimate, or PRICE_TABLE's); no price keeps it. */
const PRICE_SET = `price_amount = COALESCE($8::numeric, price_amount),
                price_currency = CASE WHEN $8::numeric IS NULL THEN price_currency ELSE $9::text END,
                price_source = CASE WHEN $8::numeric IS NULL THEN price_source ELSE 'vendor' END`;

/**
 * Early callbacks older than this belong to messages we never recorded (a crash between the
 * vendor's answer and the record: the delivery is retried under a new message id) or to
 * none of ours: dropped. The race they exist for lasts milliseconds.
 */
const EARLY_RETENTION = "1 hour";
/** How long after storing an early callback it is looked at once more (see apply). */
const LAST_LOOK_MS = 1000;

/** Unmatched callbacks kept at most; past this, new ones are dropped and counted (a flood must not grow the table). */
export const DEFAULT_EARLY_CALLBACKS_MAX = 10_000;

/** What of an unmatched callback's raw parameters is kept: enough for the timeline, not an arbitrary payload. */
const RAW_KEYS_MAX = 40;
const RAW_VALUE_MAX = 256;

/**
 * Applies vendors' status callbacks (already authenticated and parsed by the provider class)
 * to the delivery found by (provider, provider message id). Monotonic and idempotent: only a
 * step forward changes anything — a duplicate or a late `sent` after `delivered` is ignored,
 * and a final status (DELIVERED, UNDELIVERED, FAILED) is never changed. A final failure may
 * start the app's fallback channel.
 *
 * The race where a vendor calls back before the worker has stored the message id (it got the
 * id in the vendor's HTTP answer, the callback came on another connection) is closed by
 * keeping such callbacks in `early_status_callbacks` and applying them right after the worker
 * records the id, with a periodic sweep as the safety net. Vendors don't reliably retry
 * status callbacks (Twilio doesn't), so answering "try again later" would lose them.
 */
export class StatusCallbacks {
  /** Told of every callback that matched no delivery: kept for later ("stored") or over the cap ("dropped"). For metrics. */
  onUnmatched?: (provider: string, outcome: "stored" | "dropped") => void;

  constructor(
    private readonly ds: DataSource,
    private readonly events: DeliveryEvents,
    private readonly fallback: Fallback,
    private readonly log: Logger,
    private readonly earlyMax = DEFAULT_EARLY_CALLBACKS_MAX,
  ) {}

  async apply(received: StatusReport): Promise<CallbackOutcome> {
    // A receipt's error text may quote the destination: scrubbed before it is stored anywhere,
    // and so are the same words in its raw parameters (kept with the delivery event).
    const report = { ...received, errorMessage: scrubVendorText(received.errorMessage), raw: received.raw && scrubVendorRaw(received.raw) };
    const started = Date.now();
    const outcome = await this.update(report, started);
    if (outcome !== "early") return outcome;
    // Kept only while the table is under its cap (one statement, so concurrent floods overshoot by at most what is in flight).
    const stored: unknown[] = await this.ds.query(
      `INSERT INTO early_status_callbacks (provider, provider_message_id, status, error_code, error_message, raw, price_amount, price_currency, sent_as)
       SELECT $1, $2, $3, $4, $5, $6, $8, $9, $10 WHERE (SELECT count(*) FROM (SELECT 1 FROM early_status_callbacks LIMIT $7) kept) < $7
       RETURNING id`,
      [report.provider, report.providerMessageId.slice(0, 200), report.status, report.errorCode?.slice(0, 64) ?? null,
        report.errorMessage?.slice(0, 500) ?? null, JSON.stringify(trimRaw(report.raw)), this.earlyMax, report.price?.amount ?? null, report.price?.currency ?? null,
        report.sentAs ?? null],
    );
    this.onUnmatched?.(report.provider, stored.length ? "stored" : "dropped");
    if (!stored.length) {
      this.log.warn({ provider: report.provider, cap: this.earlyMax }, "status callback for an unknown message dropped: too many unmatched callbacks kept");
      return "dropped";
    }
    // The worker may have recorded the id between our lookup and the insert: look once more.
    await this.applyEarly(report.provider, report.providerMessageId);
    // One window stays open: the worker's record statement began before our insert committed (so
    // it saw no early callback) and commits after the look above. Its commit is milliseconds
    // away: a last look a second later applies the report then, rather than at the next sweep
    // (30 s). Best effort; the sweep remains what guarantees it.
    setTimeout(() => {
      this.applyEarly(report.provider, report.providerMessageId).catch((err: Error) =>
        this.log.warn({ provider: report.provider, err: err.message }, "applying an early status callback failed; the sweep will retry"));
    }, LAST_LOOK_MS).unref();
    return "early";
  }

  /** Applies, oldest first, the callbacks that arrived before the worker recorded this message id. */
  async applyEarly(provider: string, providerMessageId: string): Promise<void> {
    const rows: Array<{ id: string; status: string; error_code: string | null; error_message: string | null; raw: Record<string, string> | null; price_amount: string | null; price_currency: string | null; sent_as: string | null }> =
      await this.ds.query(
        `WITH taken AS (
           DELETE FROM early_status_callbacks e
            WHERE provider = $1 AND provider_message_id = $2
              AND EXISTS (SELECT 1 FROM deliveries d WHERE d.provider = e.provider AND d.provider_message_id = e.provider_message_id)
            RETURNING id, status, error_code, error_message, raw, price_amount, price_currency, sent_as
         ) SELECT * FROM taken`,
        [provider, providerMessageId],
      );
    for (const r of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      await this.update({
        provider, providerMessageId, status: r.status as StatusReport["status"], errorCode: r.error_code, errorMessage: r.error_message, raw: r.raw ?? {},
        price: r.price_amount !== null && r.price_currency !== null ? { amount: r.price_amount, currency: r.price_currency } : null,
        sentAs: r.sent_as as StatusReport["sentAs"],
      });
    }
  }

  /** Safety net, run by the worker's sweep: early callbacks whose message id has since been recorded, and expiry of the rest. */
  async sweep(): Promise<void> {
    const due: Array<{ provider: string; provider_message_id: string }> = await this.ds.query(
      `SELECT DISTINCT e.provider, e.provider_message_id FROM early_status_callbacks e
         JOIN deliveries d ON d.provider = e.provider AND d.provider_message_id = e.provider_message_id LIMIT 500`,
    );
    for (const r of due) await this.applyEarly(r.provider, r.provider_message_id);
    await this.ds.query(`WITH gone AS (DELETE FROM early_status_callbacks WHERE received_at < now() - interval '${EARLY_RETENTION}' RETURNING 1) SELECT count(*) FROM gone`);
  }

  private async update(report: StatusReport, started = Date.now()): Promise<CallbackOutcome> {
    const failed = report.status === "UNDELIVERED" || report.status === "FAILED";
    const [r] = await this.ds.query(
      `WITH u AS (
         UPDATE deliveries SET status = $3,
                error_code = CASE WHEN $4 THEN $5 ELSE error_code END,
                error_message = CASE WHEN $4 THEN $6 ELSE error_message END,
                -- The vendor's own fallback (an RCS message it sent as SMS) is recorded; its own channel is no news.
                sent_as = CASE WHEN $10::text IS NOT NULL AND $10::text <> channel THEN $10::text ELSE sent_as END,
                ${PRICE_SET},
                updated_at = now()
          WHERE provider = $1 AND provider_message_id = $2 AND ${rank("status")} < ${rank("$3::text")} AND ${rank("status")} < 3
          RETURNING *
       ),
       -- A report that moves nothing forward (a duplicate, a late receipt) may still be the one that says the price.
       priced AS (
         UPDATE deliveries SET ${PRICE_SET}
          WHERE provider = $1 AND provider_message_id = $2 AND $8::numeric IS NOT NULL AND NOT EXISTS (SELECT 1 FROM u)
       ),
       ev AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source, error_code, error_message, raw)
         SELECT id, verification_id, status, provider, 'callback', $5, $6, $7 FROM u
       )
       SELECT (SELECT to_jsonb(u.*) FROM u) AS row,
              EXISTS (SELECT 1 FROM deliveries WHERE provider = $1 AND provider_message_id = $2) AS known`,
      [report.provider, report.providerMessageId, report.status, failed, report.errorCode, report.errorMessage, JSON.stringify(report.raw),
        report.price?.amount ?? null, report.price?.currency ?? null, report.sentAs ?? null],
    );
    const row: Row | null = r.row;
    if (!row) return r.known ? "ignored" : "early";
    // The callback joins the trace of the request that queued the message (stored on the row).
    recordInStoredTrace(row.traceparent, "delivery.status_callback", { "otp.delivery_id": row.id, "otp.provider": report.provider, "otp.status": report.status, "otp.error_code": report.errorCode ?? "" }, started);
    await this.events.published(row);
    if (failed) {
      try {
        await this.fallback.afterFailure(row);
      } catch (err) {
        // The status is recorded; a lost fallback is logged, not turned into a vendor retry.
        this.log.error({ err: (err as Error).message, deliveryId: row.id }, "queueing the fallback delivery failed");
      }
    }
    return "applied";
  }
}

/** A bounded copy of a callback's raw parameters: the first RAW_KEYS_MAX names, each value cut to RAW_VALUE_MAX characters. */
function trimRaw(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw ?? {}).slice(0, RAW_KEYS_MAX).map(([k, v]) => [k.slice(0, 64), String(v).slice(0, RAW_VALUE_MAX)]));
}
