import type { DataSource } from "typeorm";
import { destinationCondition, type DestinationQuery } from "./destination-search";
import { pageSql, Where, type PageArgs } from "./list-sql";

export interface VerificationFilter {
  /** The search box, parsed by the resolver under the viewer's rules (parseDestinationQuery). */
  destination?: DestinationQuery | null;
  ids?: string[] | null;
  appId?: string | null;
  status?: string | null;
  channel?: string | null;
  country?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** A pending verification past its expiry reads EXPIRED even before the sweeper marks it. */
export const EFFECTIVE_STATUS = `CASE WHEN v.status = 'PENDING' AND v.expires_at <= now() THEN 'EXPIRED' ELSE v.status END`;

const SORTS: Record<string, string> = {
  createdAt: "v.created_at",
  status: EFFECTIVE_STATUS,
  channel: "v.channel",
  country: "v.destination_country",
  appName: "a.name",
};

/** The columns a verification is listed with: never code_hash or code_cipher. */
export const VERIFICATION_LIST_COLUMNS = `v.id, v.app_id, a.name AS app_name, v.channel, v.destination, v.destination_country, v.purpose,
  v.locale, v.client_ip, ${EFFECTIVE_STATUS} AS status, v.failed_attempts, v.max_attempts, v.send_count, v.expires_at,
  v.completed_at, v.created_at, v.sim_swap, v.sim_swap_checked_at, ld.provider AS last_provider, ld.status AS last_delivery_status, ld.error_code AS last_error_code`;

export const LAST_DELIVERY_JOIN = `LEFT JOIN LATERAL (
    SELECT provider, status, error_code FROM deliveries d WHERE d.verification_id = v.id ORDER BY d.created_at DESC LIMIT 1
  ) ld ON true`;

/** Support's search: by destination in any format, and by app, status, channel, country and time. */
export async function searchVerifications(ds: DataSource, filter: VerificationFilter, page: PageArgs) {
  const where = new Where();
  if (filter.destination) {
    const c = destinationCondition(filter.destination, "v.destination", "v.id");
    where.add(c.sql, c.value);
  }
  if (filter.ids) where.add("v.id::text = ANY(?)", filter.ids);
  if (filter.appId) where.add("v.app_id::text = ?", filter.appId);
  if (filter.status) where.add(`${EFFECTIVE_STATUS} = ?`, filter.status);
  if (filter.channel) where.add("v.channel = ?", filter.channel);
  if (filter.country) where.add("v.destination_country = ?", filter.country.toUpperCase());
  if (filter.from) where.add("v.created_at >= ?", filter.from);
  if (filter.to) where.add("v.created_at < ?", filter.to);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM verifications v ${where.clause}`, where.params);
  const order = pageSql(page, SORTS, "createdAt", where, "v.id");
  const rows = await ds.query(
    `SELECT ${VERIFICATION_LIST_COLUMNS}
       FROM verifications v JOIN apps a ON a.id = v.app_id ${LAST_DELIVERY_JOIN}
       ${where.clause} ${order}`,
    where.params,
  );
  return { rows, total: total as number };
}

export async function loadVerification(ds: DataSource, id: string) {
  const rows = await ds.query(
    `SELECT ${VERIFICATION_LIST_COLUMNS}
       FROM verifications v JOIN apps a ON a.id = v.app_id ${LAST_DELIVERY_JOIN} WHERE v.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
