import type { DataSource } from "typeorm";
import { destinationCondition, type DestinationQuery } from "./destination-search";
import { pageSql, Where, type PageArgs } from "./list-sql";

export interface OutboxFilter { destination?: DestinationQuery | null; appId?: string | null; channel?: string | null; verificationId?: string | null; ids?: string[] | null }

const SORTS: Record<string, string> = { createdAt: "m.created_at", channel: "m.channel" };

/** Messages the outbox provider held instead of sending: the development stand-in for a phone. */
export async function listOutbox(ds: DataSource, filter: OutboxFilter, page: PageArgs) {
  const where = new Where();
  if (filter.ids) where.add("m.id::text = ANY(?)", filter.ids);
  if (filter.destination) {
    const c = destinationCondition(filter.destination, "m.recipient", "m.verification_id");
    where.add(c.sql, c.value);
  }
  if (filter.appId) where.add("m.app_id::text = ?", filter.appId);
  if (filter.channel) where.add("m.channel = ?", filter.channel);
  if (filter.verificationId) where.add("m.verification_id::text = ?", filter.verificationId);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM outbox_messages m ${where.clause}`, where.params);
  const order = pageSql(page, SORTS, "createdAt", where, "m.id");
  const rows = await ds.query(
    `SELECT m.id, m.verification_id, m.channel, m.recipient, m.subject, m.body, m.created_at, a.name AS app_name
       FROM outbox_messages m LEFT JOIN apps a ON a.id = m.app_id ${where.clause} ${order}`,
    where.params,
  );
  return { rows, total: total as number };
}
