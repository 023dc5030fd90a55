import type { DataSource } from "typeorm";
import { maskDestination } from "../verification/destination";
import type { Channel, DeliveryStatus } from "../verification/enums";
import { encodeCursor, type AttemptCursor } from "./attempt-cursor";
import { moneyOf, type MoneyView } from "./money";

/** A validated filter (attempt-filter.ts parses the client's): every field optional. */
export interface AttemptQueryFilter {
  from?: Date | null;
  to?: Date | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string | null;
  channel?: Channel | null;
  status?: DeliveryStatus | null;
  converted?: boolean | null;
  /** Normalized (E.164 or lower-cased e-mail): matched exactly, through verifications_destination. */
  destination?: string | null;
}

export interface AttemptView {
  id: string;
  verificationId: string;
  appId: string;
  channel: Channel;
  provider: string;
  /** Masked as Verification.to. */
  to: string;
  country: string | null;
  status: DeliveryStatus;
  converted: boolean;
  price: MoneyView | null;
  createdAt: Date;
}

export interface AttemptPageView { items: AttemptView[]; next: string | null }

export interface AttemptQuery {
  /** null: every app (the dashboard); a client app always passes its own. */
  appId: string | null;
  filter: AttemptQueryFilter;
  first: number;
  after: AttemptCursor | null;
  /** Rows older than this many days are outside the retention window (and soon deleted): never shown. */
  retentionDays: number;
}

interface Row {
  id: string;
  verification_id: string;
  app_id: string;
  channel: Channel;
  provider: string;
  destination: string;
  destination_country: string | null;
  status: DeliveryStatus;
  converted: boolean;
  price_amount: string | null;
  price_currency: string | null;
  created_at: Date;
  created_micros: string;
}

/**
 * One page of attempts (deliveries), newest first, by keyset on (created_at, id): served by
 * deliveries_app_created (app_id, created_at DESC, id DESC) — or deliveries_created for all apps —
 * and, for a destination, by verifications_destination then deliveries_verification. The
 * verification is joined by primary key for its destination, country and whether it converted.
 */
export async function listAttempts(ds: DataSource, q: AttemptQuery): Promise<AttemptPageView> {
  const params: unknown[] = [q.retentionDays];
  const where: string[] = ["d.created_at >= now() - make_interval(days => $1)"];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.appId !== null) add((p) => `d.app_id = ${p}`, q.appId);
  const f = q.filter;
  if (f.from) add((p) => `d.created_at >= ${p}`, f.from);
  if (f.to) add((p) => `d.created_at < ${p}`, f.to);
  if (f.channel) add((p) => `d.channel = ${p}`, f.channel);
  if (f.status) add((p) => `d.status = ${p}`, f.status);
  if (f.country) add((p) => `v.destination_country = ${p}`, f.country);
  if (f.converted === true) where.push(`v.status = 'APPROVED'`);
  if (f.converted === false) where.push(`v.status <> 'APPROVED'`);
  if (f.destination) {
    add((p) => `v.destination = ${p}`, f.destination);
    // Lets the planner start from verifications_destination instead of walking the app's deliveries.
    if (q.appId !== null) add((p) => `v.app_id = ${p}`, q.appId);
  }
  if (q.after) {
    params.push(q.after.micros, q.after.id);
    where.push(`(d.created_at, d.id) < (timestamptz 'epoch' + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`);
  }
  params.push(q.first + 1);
  const rows: Row[] = await ds.query(
    `SELECT d.id, d.verification_id, d.app_id, d.channel, d.provider, d.status, d.price_amount, d.price_currency, d.created_at,
            (extract(epoch FROM d.created_at) * 1000000)::bigint::text AS created_micros,
            v.destination, v.destination_country, v.status = 'APPROVED' AS converted
       FROM deliveries d JOIN verifications v ON v.id = d.verification_id
      WHERE ${where.join(" AND ")}
      ORDER BY d.created_at DESC, d.id DESC
      LIMIT $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.first);
  const last = page[page.length - 1];
  return {
    items: page.map(toAttemptView),
    next: rows.length > q.first && last ? encodeCursor({ micros: last.created_micros, id: last.id }) : null,
  };
}

function toAttemptView(r: Row): AttemptView {
  return {
    id: r.id,
    verificationId: r.verification_id,
    appId: r.app_id,
    channel: r.channel,
    provider: r.provider,
    to: maskDestination(r.destination),
    country: r.destination_country,
    status: r.status,
    converted: r.converted,
    price: moneyOf(r.price_amount, r.price_currency),
    createdAt: r.created_at,
  };
}
