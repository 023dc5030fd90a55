import type { DataSource } from "typeorm";

/** A claimed message with what the sender needs: the event, the endpoint and its sealed secret. */
export interface ClaimedMessage {
  id: string;
  attempts: number;
  windowStart: Date;
  endpointId: string;
  appId: string;
  url: string;
  secretCipher: Buffer;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  eventCreatedAt: Date;
  /** The verification's destination in clear, for the masked `to` (never sent as is). */
  destination: string | null;
}

export interface WebhookAttempt { statusCode: number | null; latencyMs: number; error: string | null }

/**
 * The webhook outbox in SQL, after the delivery store's model: claims with FOR UPDATE SKIP
 * LOCKED and a lease, and transitions that need the claim (`leased_by`), so a sender whose
 * lease lapsed changes nothing. Unlike deliveries, messages of one endpoint and ordering key
 * (a verification) go strictly one after another: a message is claimable only when no earlier
 * one of its key is still waiting or in flight, including one backing off after a failure.
 */
export class WebhookMessageStore {
  constructor(private readonly ds: DataSource) {}

  async claim(limit: number, leaseSeconds: number, workerId: string): Promise<ClaimedMessage[]> {
    const rows = await this.ds.query(
      `WITH c AS (
         SELECT m.id FROM webhook_messages m
          WHERE ((m.status = 'PENDING' AND m.next_attempt_at <= now()) OR (m.status = 'SENDING' AND m.lease_until < now()))
            AND EXISTS (SELECT 1 FROM webhook_endpoints ep WHERE ep.id = m.endpoint_id AND ep.status = 'ACTIVE')
            AND NOT EXISTS (
              SELECT 1 FROM webhook_messages p
               WHERE p.endpoint_id = m.endpoint_id AND p.ordering_key = m.ordering_key AND p.id < m.id AND p.status IN ('PENDING', 'SENDING')
            )
          ORDER BY m.id LIMIT $1 FOR UPDATE OF m SKIP LOCKED
       ),
       u AS (
         UPDATE webhook_messages m SET status = 'SENDING', attempts = attempts + 1, lease_until = now() + make_interval(secs => $2),
                leased_by = $3, updated_at = now()
           FROM c WHERE m.id = c.id RETURNING m.*
       )
       SELECT u.id, u.attempts, u.window_start, u.endpoint_id, ep.app_id, ep.url, ep.secret_cipher, ev.id AS event_id, ev.type, ev.data,
              ev.created_at AS event_created_at, v.destination
         FROM u JOIN webhook_endpoints ep ON ep.id = u.endpoint_id JOIN webhook_events ev ON ev.id = u.event_id
         LEFT JOIN verifications v ON v.id = ev.verification_id
        ORDER BY u.id`,
      [limit, leaseSeconds, workerId],
    );
    return rows.map((r: any) => ({
      id: String(r.id), attempts: r.attempts, windowStart: r.window_start, endpointId: r.endpoint_id, appId: r.app_id, url: r.url,
      secretCipher: r.secret_cipher, eventId: r.event_id, type: r.type, data: r.data, eventCreatedAt: r.event_created_at,
      destination: r.destination ?? null,
    }));
  }

  /** A 2xx: delivered; the endpoint's failure streak ends. */
  async delivered(m: ClaimedMessage, workerId: string, a: WebhookAttempt): Promise<boolean> {
    return this.transition(m, workerId, a, "DELIVERED", `status = 'DELIVERED', delivered_at = now()`, [],
      `consecutive_failures = 0, failing_since = NULL`);
  }

  /** Back to the queue after `delayMs`; later messages of its verification wait behind it. */
  async retry(m: ClaimedMessage, workerId: string, a: WebhookAttempt, delayMs: number): Promise<boolean> {
    return this.transition(m, workerId, a, "RETRY", `status = 'PENDING', next_attempt_at = now() + make_interval(secs => $6::float8 / 1000)`, [delayMs],
      `consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now())`);
  }

  /**
   * Out of retry window: FAILED. When the endpoint has not succeeded once since this message's window
   * began (it failed for the whole window), it is paused too; returns whether it was.
   */
  async failed(m: ClaimedMessage, workerId: string, a: WebhookAttempt): Promise<{ ok: boolean; paused: { consecutiveFailures: number; url: string } | null }> {
    const rows = await this.ds.query(
      `WITH u AS (
         UPDATE webhook_messages SET status = 'FAILED', last_status_code = $3, last_error = $4, lease_until = NULL, updated_at = now()
          WHERE id = $1 AND status = 'SENDING' AND leased_by = $2 RETURNING *
       ),
       att AS (INSERT INTO webhook_attempts (message_id, status_code, latency_ms, error, outcome) SELECT id, $3, $5, $4, 'FAILED' FROM u),
       quiet AS (
         -- Not one success since this message's window began: the endpoint failed for all of it.
         SELECT NOT EXISTS (
           SELECT 1 FROM webhook_messages d, u WHERE d.endpoint_id = u.endpoint_id AND d.status = 'DELIVERED' AND d.delivered_at >= u.window_start
         ) AS pause
       ),
       ep AS (
         UPDATE webhook_endpoints e SET consecutive_failures = e.consecutive_failures + 1, failing_since = coalesce(e.failing_since, now()),
                status = CASE WHEN quiet.pause THEN 'PAUSED' ELSE e.status END,
                paused_at = CASE WHEN quiet.pause AND e.status = 'ACTIVE' THEN now() ELSE e.paused_at END,
                pause_reason = CASE WHEN quiet.pause AND e.status = 'ACTIVE' THEN 'Every attempt failed for a whole retry window' ELSE e.pause_reason END,
                updated_at = now()
           FROM u, quiet WHERE e.id = u.endpoint_id
         RETURNING e.status, e.consecutive_failures, e.url, (quiet.pause AND e.paused_at = now()) AS just_paused
       )
       SELECT u.id, ep.* FROM u LEFT JOIN ep ON true`,
      [m.id, workerId, a.statusCode, a.error, Math.round(a.latencyMs)],
    );
    const row = rows[0];
    if (!row) return { ok: false, paused: null };
    return { ok: true, paused: row.just_paused ? { consecutiveFailures: row.consecutive_failures, url: row.url } : null };
  }

  private async transition(m: ClaimedMessage, workerId: string, a: WebhookAttempt, outcome: string, set: string, params: unknown[], endpointSet: string) {
    const rows = await this.ds.query(
      `WITH u AS (
         UPDATE webhook_messages SET ${set}, last_status_code = $3, last_error = $4, lease_until = NULL, updated_at = now()
          WHERE id = $1 AND status = 'SENDING' AND leased_by = $2 RETURNING *
       ),
       att AS (INSERT INTO webhook_attempts (message_id, status_code, latency_ms, error, outcome) SELECT id, $3, $5, $4, '${outcome}' FROM u),
       ep AS (UPDATE webhook_endpoints SET ${endpointSet}, updated_at = now() WHERE id IN (SELECT endpoint_id FROM u))
       SELECT id FROM u`,
      [m.id, workerId, a.statusCode, a.error, Math.round(a.latencyMs), ...params],
    );
    return rows.length > 0;
  }

  /**
   * An operator's resend: the message (same webhook-id) is due again at once with a fresh
   * retry window. A message still waiting is simply brought forward. Null when unknown.
   */
  async resend(appId: string, messageId: string): Promise<Record<string, any> | null> {
    if (!/^\d{1,18}$/.test(messageId)) return null;
    const rows = await this.ds.query(
      `WITH u AS (
         UPDATE webhook_messages m SET status = CASE WHEN m.status = 'SENDING' THEN m.status ELSE 'PENDING' END,
                next_attempt_at = now(), window_start = now(), updated_at = now()
           FROM webhook_endpoints ep
          WHERE m.id = $1 AND ep.id = m.endpoint_id AND ep.app_id = $2
         RETURNING m.id, m.endpoint_id, m.status
       ),
       n AS (SELECT pg_notify('otpg_webhook', ''))
       SELECT u.*, (SELECT count(*) FROM n) AS notified FROM u`,
      [messageId, appId],
    );
    return rows[0] ?? null;
  }
}
