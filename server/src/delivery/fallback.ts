import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { checkCountry, checkNumberType } from "../protection/number-policy";
import type { AppEntity, AppSettings } from "../apps/app.entity";
import { appFromRow } from "../apps/app-service";
import { GatewayError } from "../errors";
import type { SendPolicy } from "../protection/send-policy";
import { channelFits, parseAnyDestination } from "../verification/destination";
import type { ProviderRegistry } from "../providers/registry";
import { Channel } from "../verification/enums";
import { wakeWorkersColumn } from "../verification/sql";
import type { Row } from "../verification/verification-view";
import type { DeliveryEvents } from "./delivery-events";
import { settleAfterFailure } from "./verification-failure";

/** What decides whether a failed delivery gets a fallback: the app's settings and the destination. */
export interface FallbackContext {
  channel: Channel;
  /** Set when the failed delivery is itself a fallback: those never chain. */
  fallbackOf: string | null;
  destination: string;
  settings: AppSettings;
  countries: string[] | null;
}

/**
 * The app's fallback channel (settings.fallbackChannel, e.g. SMS → VOICE): when a delivery
 * ends FAILED or UNDELIVERED — reported by the worker or by a status callback — while its
 * verification is still pending, the same code goes out once more on the fallback channel.
 * Once per failed delivery (a unique index on `fallback_of`, so a worker and a callback racing
 * each other queue it once), never for a fallback, and not when a resend already replaced it.
 */
export class Fallback {
  constructor(
    private readonly ds: DataSource,
    private readonly registry: ProviderRegistry,
    private readonly events: DeliveryEvents,
    private readonly log: Logger,
    /** Wake workers in other processes by pg_notify: only without Redis (see wakeWorkersColumn). */
    private readonly notifyWorkers = true,
    /** The limits every send is charged to (requests, resends): a fallback is a paid send too. */
    private readonly sendPolicy?: SendPolicy,
    /**
     * A verification asked with `next` follows its own workflow instead of the app's fallback
     * channel: a failed step's delivery starts the next step at once (workflow/workflow.ts).
     */
    private readonly workflow?: { failed(delivery: Row): Promise<boolean> },
  ) {}

  /** The channel a failure of this delivery falls back to, or null. */
  channelFor(c: FallbackContext): Channel | null {
    const target = c.settings.fallbackChannel as Channel | undefined;
    if (!target || target === c.channel || c.fallbackOf) return null;
    const dest = parseAnyDestination(c.destination);
    if (!channelFits(dest, target)) return null; // SMS ↔ VOICE for a phone; nothing else fits
    if (!this.registry.supports(target)) return null;
    // The same number-type and geography rules as a request (SendPolicy): a fallback is a send too.
    try {
      checkNumberType(dest, target);
      checkCountry({ countries: c.countries, settings: c.settings } as AppEntity, dest, target);
    } catch {
      return null;
    }
    return target;
  }

  /**
   * After a delivery ended failed (worker or status callback): queues the fallback when one is
   * due and returns it; otherwise, when nothing else can still reach the destination, the
   * verification becomes FAILED (verification-failure.ts) and subscribers hear it with this
   * delivery's final event.
   */
  async afterFailure(failed: Row): Promise<Row | null> {
    if (failed.status !== "FAILED" && failed.status !== "UNDELIVERED") return null;
    if (failed.step_id && this.workflow && (await this.workflow.failed(failed))) return null;
    const queued = failed.step_id ? null : await this.queue(failed);
    if (!queued && (await settleAfterFailure(this.ds, failed.verification_id))) {
      this.log.info({ verificationId: failed.verification_id, deliveryId: failed.id }, "verification failed: no delivery can reach the destination");
      await this.events.published(failed, "FAILED");
    }
    return queued;
  }

  /** Queues the fallback for a delivery that just ended failed; returns the new delivery, or null when none is due. */
  private async queue(failed: Row): Promise<Row | null> {
    const [ctx] = await this.ds.query(
      `SELECT v.destination, v.client_ip, a.settings, a.countries, to_jsonb(a.*) AS app
         FROM verifications v JOIN apps a ON a.id = v.app_id
        WHERE v.id = $1 AND v.status = 'PENDING' AND v.expires_at > now()`,
      [failed.verification_id],
    );
    if (!ctx) return null;
    const channel = this.channelFor({
      channel: failed.channel, fallbackOf: failed.fallback_of ?? null, destination: ctx.destination,
      settings: ctx.settings ?? {}, countries: ctx.countries,
    });
    if (!channel) return null;
    if (!(await this.charged(failed, appFromRow(ctx.app), ctx.destination, channel, ctx.client_ip))) return null;
    const rows = await this.ds.query(
      `WITH d AS (
         INSERT INTO deliveries (id, verification_id, app_id, channel, provider, fallback_of, traceparent)
         SELECT $1, f.verification_id, f.app_id, $2, $3, f.id, f.traceparent
           FROM deliveries f JOIN verifications v ON v.id = f.verification_id
          WHERE f.id = $4 AND f.fallback_of IS NULL AND f.status IN ('FAILED', 'UNDELIVERED')
            AND v.status = 'PENDING' AND v.expires_at > now()
            AND NOT EXISTS (SELECT 1 FROM deliveries n WHERE n.verification_id = f.verification_id AND n.fallback_of IS NULL AND n.created_at > f.created_at)
         ON CONFLICT (fallback_of) WHERE fallback_of IS NOT NULL DO NOTHING
         RETURNING *
       ),
       e AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source)
         SELECT id, verification_id, status, provider, 'fallback' FROM d
       )
       SELECT to_jsonb(d.*) AS d, ${wakeWorkersColumn(this.notifyWorkers)} AS wake FROM d`,
      [randomUUID(), channel, this.registry.forChannel(channel)[0].name, failed.id],
    );
    const row: Row | undefined = rows[0]?.d;
    if (!row) return null;
    this.log.info({ deliveryId: row.id, fallbackOf: failed.id, channel }, "fallback delivery queued");
    await this.events.published(row);
    return row;
  }

  /**
   * Charges the fallback to the same limits as a request (per IP, destination, prefix, country,
   * the app's hourly budget, the pumping guard); a refusal is recorded as a block like any other
   * and means no fallback. Without a policy (tests of the queueing alone) nothing is charged.
   */
  private async charged(failed: Row, app: AppEntity, destination: string, channel: Channel, clientIp: string | null): Promise<boolean> {
    if (!this.sendPolicy) return true;
    try {
      await this.sendPolicy.check(app, parseAnyDestination(destination), channel, { ip: clientIp });
      return true;
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      this.log.warn({ deliveryId: failed.id, verificationId: failed.verification_id, channel, refusal: err.code }, "fallback delivery refused by the send limits");
      return false;
    }
  }
}
