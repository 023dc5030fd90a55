import type { DataSource } from "typeorm";
import { prepared } from "../db/prepared";
import { NIST_BOUNDS } from "../apps/nist-bounds";
import type { DeliveryPrice } from "../prices/delivery-price";
import type { Row } from "../verification/verification-view";

/** A claimed delivery with what the worker needs to render it (`destination`: the delivery's own, for a workflow step that has one, else the verification's). */
export interface ClaimedDelivery {
  delivery: Row;
  verification: { status: string; expiresAt: Date; codeCipher: Buffer | null; destination: string; locale: string; purpose: string | null; transaction: { amount: string; payee: string } | null; country?: string | null };
  app: { name: string; settings: Record<string, any>; ttlSeconds: number; countries: string[] | null };
}

export type AttemptOutcome = "SENT" | "RETRY" | "FAILOVER" | "FAILED";
export interface AttemptRecord {
  provider: string; providerMessageId?: string | null; outcome: AttemptOutcome; errorCode?: string | null; errorMessage?: string | null; latencyMs: number;
  /** On a hand-off: what it cost, from the vendor's answer or PRICE_TABLE (prices/delivery-price.ts). */
  price?: DeliveryPrice | null;
}

/**
 * The delivery outbox in SQL. Every transition is one statement that updates the delivery,
 * appends its attempt and its event, and returns the new row for publishing. Transitions
 * of a claimed row require the claim (`leased_by`): a worker whose lease lapsed changes nothing.
 */
export class DeliveryStore {
  /** `clampTtl`: production, where an app's validity runs within NIST's bound (apps/nist-bounds.ts), so the message says so too. */
  constructor(private readonly ds: DataSource, private readonly clampTtl = false) {}

  async claim(limit: number, leaseSeconds: number, workerId: string): Promise<ClaimedDelivery[]> {
    const rows: Row[] = await prepared(this.ds).query(
      // Queued rows first, then lapsed leases, each read in its own partial index's order. One
      // OR-ed condition made Postgres read and sort the whole queue for every claim (5 ms per
      // claim with a 20,000-message backlog); each half now stops after `limit` rows.
      `WITH q AS (
         SELECT id FROM deliveries WHERE status = 'QUEUED' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       ),
       l AS (
         SELECT id FROM deliveries WHERE status = 'SENDING' AND lease_until < now()
          ORDER BY lease_until LIMIT greatest(0, $1 - (SELECT count(*) FROM q)) FOR UPDATE SKIP LOCKED
       ),
       c AS (SELECT id FROM q UNION ALL SELECT id FROM l),
       d AS (
         UPDATE deliveries SET status = 'SENDING', attempts = attempts + 1, lease_until = now() + make_interval(secs => $2),
                leased_by = $3, updated_at = now()
           FROM c WHERE deliveries.id = c.id RETURNING deliveries.*
       ),
       e AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source)
         SELECT id, verification_id, 'SENDING', provider, 'worker' FROM d
       )
       SELECT to_jsonb(d.*) AS delivery, v.status AS v_status, v.expires_at, v.code_cipher,
              coalesce(d.destination, v.destination) AS destination, CASE WHEN d.destination IS NULL THEN v.destination_country END AS destination_country, v.locale, v.purpose,
              v.transaction, a.name AS app_name, a.settings AS app_settings, a.ttl_seconds, a.countries AS app_countries
         FROM d JOIN verifications v ON v.id = d.verification_id JOIN apps a ON a.id = d.app_id`,
      [limit, leaseSeconds, workerId],
    );
    return rows.map((r) => ({
      delivery: r.delivery,
      verification: {
        status: r.v_status, expiresAt: r.expires_at, codeCipher: r.code_cipher, destination: r.destination,
        locale: r.locale, purpose: r.purpose, transaction: r.transaction, country: r.destination_country,
      },
      app: { name: r.app_name, settings: r.app_settings ?? {}, ttlSeconds: this.clampTtl ? Math.min(r.ttl_seconds, NIST_BOUNDS.maxTtlSeconds) : r.ttl_seconds, countries: r.app_countries ?? null },
    }));
  }

  /**
   * Records hand-offs the vendor accepted, several in one statement (SentBatcher): each row
   * updated under its claim, with its event and its attempt, and whether status callbacks for
   * its message arrived before it (kept in early_status_callbacks) — asked in the same
   * statement, so the common case costs no second round trip. A callback stored while this
   * statement runs is applied by its own look-again (StatusCallbacks.apply) or, at worst, by
   * the periodic sweep. Answers in the order given; a delivery whose claim lapsed (another
   * worker's now) answers `row: null` and changes nothing.
   */
  async sentMany(items: Array<{ delivery: Row; attempt: AttemptRecord; status: string }>, workerId: string): Promise<Array<{ row: Row | null; earlyCallbacks: boolean }>> {
    const input = items.map((i) => ({
      id: i.delivery.id, status: i.status, provider: i.attempt.provider, provider_message_id: i.attempt.providerMessageId ?? null,
      latency_ms: Math.round(i.attempt.latencyMs),
      price_amount: i.attempt.price?.amount ?? null, price_currency: i.attempt.price?.currency ?? null, price_source: i.attempt.price?.source ?? null,
    }));
    const rows: Array<Row & { early_callbacks: boolean; sent_latency_ms?: number }> = await prepared(this.ds).query(
      `WITH i AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, status text, provider text, provider_message_id text, latency_ms int, price_amount numeric, price_currency text, price_source text)
       ),
       u AS (
         UPDATE deliveries d SET status = i.status, provider = i.provider, provider_message_id = i.provider_message_id,
                error_code = NULL, error_message = NULL, lease_until = NULL, updated_at = now(),
                price_amount = i.price_amount, price_currency = i.price_currency, price_source = i.price_source
           FROM i WHERE d.id = i.id AND d.status = 'SENDING' AND d.leased_by = $2
          RETURNING d.*, i.latency_ms AS sent_latency_ms
       ),
       ev AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source, error_code, error_message)
         SELECT id, verification_id, status, provider, 'worker', NULL, NULL FROM u
       ),
       att AS (
         INSERT INTO delivery_attempts (delivery_id, provider, provider_message_id, outcome, error_code, error_message, latency_ms)
         SELECT id, provider, provider_message_id, 'SENT', NULL, NULL, sent_latency_ms FROM u
       )
       SELECT u.*, EXISTS (SELECT 1 FROM early_status_callbacks e WHERE e.provider = u.provider AND e.provider_message_id = u.provider_message_id) AS early_callbacks
         FROM u`,
      [JSON.stringify(input), workerId],
    );
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return items.map((i) => {
      const r = byId.get(i.delivery.id);
      if (!r) return { row: null, earlyCallbacks: false };
      const { early_callbacks: earlyCallbacks, sent_latency_ms: _latency, ...delivery } = r;
      return { row: delivery as Row, earlyCallbacks: earlyCallbacks === true };
    });
  }

  /** Back to the queue on the same provider after `delayMs`. */
  retry(d: Row, workerId: string, a: AttemptRecord, delayMs: number): Promise<Row | null> {
    return this.transition(d, workerId, a, `status = 'QUEUED', next_attempt_at = now() + make_interval(secs => $3::float8 / 1000),
      error_code = $4, error_message = $5, lease_until = NULL`, [delayMs, a.errorCode ?? null, a.errorMessage ?? null]);
  }

  /** Back to the queue at once, on the next provider of the channel. */
  failover(d: Row, workerId: string, a: AttemptRecord, nextIndex: number, nextProvider: string): Promise<Row | null> {
    return this.transition(d, workerId, a, `status = 'QUEUED', provider = $3, provider_index = $4, attempts = 0, next_attempt_at = now(),
      error_code = $5, error_message = $6, lease_until = NULL`, [nextProvider, nextIndex, a.errorCode ?? null, a.errorMessage ?? null]);
  }

  /** Every provider failed in this pass: start over from the first one after `delayMs`, one round further. */
  newRound(d: Row, workerId: string, a: AttemptRecord, delayMs: number, firstProvider: string): Promise<Row | null> {
    return this.transition(d, workerId, a, `status = 'QUEUED', provider = $3, provider_index = 0, attempts = 0, failover_round = failover_round + 1,
      next_attempt_at = now() + make_interval(secs => $4::float8 / 1000), error_code = $5, error_message = $6, lease_until = NULL`, [
      firstProvider, delayMs, a.errorCode ?? null, a.errorMessage ?? null,
    ]);
  }

  /** A final failure (nothing more to try), with the last error. */
  failed(d: Row, workerId: string, a: AttemptRecord | null, code: string, message: string): Promise<Row | null> {
    // The provider that was tried (a test destination's stand-in may differ from the one queued).
    return this.transition(d, workerId, a, `status = 'FAILED', provider = coalesce($5, provider), error_code = $3, error_message = $4, lease_until = NULL`, [
      code, message, a?.provider ?? null,
    ]);
  }

  private async transition(d: Row, workerId: string, a: AttemptRecord | null, set: string, params: unknown[], extraColumn?: string): Promise<Row | null> {
    const attemptCte = a
      ? `, att AS (
           INSERT INTO delivery_attempts (delivery_id, provider, provider_message_id, outcome, error_code, error_message, latency_ms)
           SELECT id, $${params.length + 3}, $${params.length + 4}, $${params.length + 5}, $${params.length + 6}, $${params.length + 7}, $${params.length + 8} FROM u
         )`
      : "";
    const attemptParams = a ? [a.provider, a.providerMessageId ?? null, a.outcome, a.errorCode ?? null, a.errorMessage ?? null, Math.round(a.latencyMs)] : [];
    const rows = await prepared(this.ds).query(
      `WITH u AS (
         UPDATE deliveries SET ${set}, updated_at = now()
          WHERE id = $1 AND status = 'SENDING' AND leased_by = $2
          RETURNING *
       ),
       ev AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source, error_code, error_message)
         SELECT id, verification_id, status, provider, 'worker', error_code, error_message FROM u
       )${attemptCte}
       SELECT *${extraColumn ? `, ${extraColumn}` : ""} FROM u`,
      [d.id, workerId, ...params, ...attemptParams],
    );
    return rows[0] ?? null;
  }

  /** Marks pending verifications past their expiry EXPIRED and drops their code material. */
  async expireVerifications(limit = 500): Promise<number> {
    const rows = await this.ds.query(
      `WITH x AS (
         UPDATE verifications SET status = 'EXPIRED', code_hash = NULL, code_cipher = NULL, completed_at = now(), updated_at = now()
          WHERE id IN (SELECT id FROM verifications WHERE status = 'PENDING' AND expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING id
       ) SELECT id FROM x`,
      [limit],
    );
    return rows.length;
  }
}
