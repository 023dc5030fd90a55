import type { DataSource } from "typeorm";

/** An endpoint's newest messages with their attempts, for the dashboard's Apps page. */
export function recentWebhookMessages(ds: DataSource, endpointId: string, limit: number) {
  return messages(ds, `m.endpoint_id = $1`, [endpointId, limit]);
}

/** One message (after a resend). */
export async function loadWebhookMessage(ds: DataSource, id: string) {
  const [m] = await messages(ds, `m.id = $1`, [id, 1]);
  return m;
}

async function messages(ds: DataSource, where: string, params: unknown[]) {
  const rows = await ds.query(
    `SELECT m.id, m.event_id, e.type, e.verification_id, m.status, m.attempts, m.last_status_code, m.last_error, m.next_attempt_at,
            m.delivered_at, m.created_at,
            coalesce((SELECT jsonb_agg(jsonb_build_object('id', a.id, 'outcome', a.outcome, 'statusCode', a.status_code, 'latencyMs', a.latency_ms,
                                                          'error', a.error, 'createdAt', a.created_at) ORDER BY a.id)
                        FROM webhook_attempts a WHERE a.message_id = m.id), '[]') AS attempt_log
       FROM webhook_messages m JOIN webhook_events e ON e.id = m.event_id
      WHERE ${where} ORDER BY m.id DESC LIMIT $2`,
    params,
  );
  return rows.map((r: any) => ({
    id: String(r.id), eventId: r.event_id, type: r.type, verificationId: r.verification_id, status: r.status, attempts: r.attempts,
    lastStatusCode: r.last_status_code, lastError: r.last_error, nextAttemptAt: r.next_attempt_at, deliveredAt: r.delivered_at, createdAt: r.created_at,
    attemptLog: r.attempt_log.map((a: any) => ({ ...a, id: String(a.id), createdAt: new Date(a.createdAt) })),
  }));
}
