/**
 * SQL shared by the verification statements. Each mutation is one statement: data-modifying
 * CTEs commit the verification, its QUEUED delivery, the delivery's first event and, without
 * Redis, the worker's wake-up (pg_notify, delivered at commit) together, or nothing.
 */
export const VERIFICATION_COLUMNS = `id, app_id, channel, destination, destination_country, purpose, locale, transaction,
  client_ip, code_length, status, failed_attempts, max_attempts, send_count, expires_at, resend_available_at, completed_at,
  created_at, updated_at, sim_swap, sim_swap_checked_at`;

/**
 * Appended to a statement whose CTE `v` holds one verification: queues its delivery through
 * provider $P, carrying the request's trace context (null when tracing is off) to the worker.
 * `step`: SQL for the workflow step it belongs to and its own destination (null: the
 * verification's), when the verification has a workflow (workflow/).
 */
/** `channel`: the delivery's own (a resend on a later workflow step uses the step's; the verification keeps its first). */
export const queueDeliveryCtes = (deliveryIdParam: string, providerParam: string, traceparentParam: string, step?: { id: string; destination: string }, channel = "v.channel") => `
  d AS (
    INSERT INTO deliveries (id, verification_id, app_id, channel, provider, traceparent${step ? ", step_id, destination" : ""})
    SELECT ${deliveryIdParam}, v.id, v.app_id, ${channel}, ${providerParam}, ${traceparentParam}${step ? `, ${step.id}, ${step.destination}` : ""} FROM v
    RETURNING *
  ),
  e AS (
    INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source)
    SELECT d.id, d.verification_id, d.status, d.provider, 'api' FROM d
  )`;

export const NOTIFY_CHANNEL = "otpg_delivery";

/**
 * The wake-up column of a statement that queues a delivery. Without Redis, workers in other
 * processes hear of it by pg_notify. With Redis they hear of it by the QUEUED event the API
 * publishes after commit (every process receives every delivery event), so the hot statements
 * leave NOTIFY out: Postgres serialises the commits of all notifying transactions behind one
 * lock, which under load became the request path's queue. A lost event costs one poll interval.
 */
export const wakeWorkersColumn = (viaPostgres: boolean) => (viaPostgres ? `pg_notify('${NOTIFY_CHANNEL}', '')` : `NULL`);
