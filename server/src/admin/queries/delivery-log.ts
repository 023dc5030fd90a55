import type { DataSource } from "typeorm";
import { pageSql, Where, type PageArgs } from "./list-sql";

export interface DeliveryLogFilter {
  provider?: string | null;
  channel?: string | null;
  /** The attempt's outcome: SENT (the vendor accepted it), RETRY or FAILED. */
  outcome?: string | null;
  /** The delivery's current status (DELIVERED, UNDELIVERED, …), which callbacks move on. */
  deliveryStatus?: string | null;
  errorCode?: string | null;
  country?: string | null;
  appId?: string | null;
  verificationId?: string | null;
  from?: Date | null;
  to?: Date | null;
  ids?: string[] | null;
}

const SORTS: Record<string, string> = {
  at: "a.created_at", provider: "a.provider", outcome: "a.outcome", latencyMs: "a.latency_ms", errorCode: "a.error_code", country: "v.destination_country",
};

/** Every hand-off to a vendor, newest first, with the delivery's current status and where it was going. */
export async function listDeliveryAttempts(ds: DataSource, filter: DeliveryLogFilter, page: PageArgs) {
  const where = new Where();
  if (filter.ids) where.add("a.id::text = ANY(?)", filter.ids);
  if (filter.provider) where.add("a.provider = ?", filter.provider);
  if (filter.channel) where.add("d.channel = ?", filter.channel);
  if (filter.outcome) where.add("a.outcome = ?", filter.outcome);
  if (filter.deliveryStatus) where.add("d.status = ?", filter.deliveryStatus);
  if (filter.errorCode) where.add("coalesce(a.error_code, CASE WHEN d.provider_message_id = a.provider_message_id THEN d.error_code END) = ?", filter.errorCode);
  if (filter.country) where.add("v.destination_country = ?", filter.country.toUpperCase());
  if (filter.appId) where.add("d.app_id::text = ?", filter.appId);
  if (filter.verificationId) where.add("d.verification_id::text = ?", filter.verificationId);
  if (filter.from) where.add("a.created_at >= ?", filter.from);
  if (filter.to) where.add("a.created_at < ?", filter.to);
  const from = `FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN verifications v ON v.id = d.verification_id`;
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total ${from} ${where.clause}`, where.params);
  const order = pageSql(page, SORTS, "at", where, "a.id");
  const rows = await ds.query(
    `SELECT a.id::text AS id, a.created_at AS at, a.provider, d.channel, a.outcome, a.provider_message_id AS message_id,
            a.error_code, a.error_message, a.latency_ms, d.id AS delivery_id, d.status AS delivery_status,
            -- A callback's error (e.g. 30003 after the vendor accepted it) belongs to the attempt that carried that message.
            CASE WHEN d.provider_message_id = a.provider_message_id THEN d.error_code END AS callback_error_code,
            CASE WHEN d.provider_message_id = a.provider_message_id THEN d.error_message END AS callback_error_message,
            CASE WHEN d.provider_message_id = a.provider_message_id THEN d.sent_as END AS sent_as,
            -- A workflow step may go to its own destination (deliveries.destination); the verification's otherwise.
            v.id AS verification_id, coalesce(d.destination, v.destination) AS destination,
            CASE WHEN d.destination IS NULL THEN v.destination_country END AS country, app.name AS app_name
       ${from} JOIN apps app ON app.id = d.app_id ${where.clause} ${order}`,
    where.params,
  );
  return { rows, total: total as number };
}
