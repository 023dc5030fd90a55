import type { DataSource } from "typeorm";
import type { BlockStore } from "../../protection/block-store";
import { badInput } from "../../errors";
import type { DestinationQuery } from "./destination-search";
import { pageSql, Where, type PageArgs } from "./list-sql";

export interface BlockFilter {
  active?: boolean | null;
  rule?: string | null;
  shadow?: boolean | null;
  appId?: string | null;
  /** A destination in any format (parsed by the resolver): finds the blocks on that destination in every app. */
  destination?: DestinationQuery | null;
  from?: Date | null;
  to?: Date | null;
  ids?: string[] | null;
}

const SORTS: Record<string, string> = { createdAt: "b.created_at", blockedUntil: "b.blocked_until", rule: "b.rule", hits: "b.hits" };

/**
 * The columns support sees. `details` is shown without the limiter key (it holds the destination
 * in clear) and the verification id: what remains is the figures a block was judged on.
 */
const COLUMNS = `b.id, b.app_id, a.name AS app_name, b.rule, b.key_masked, b.hits, b."limit", b.blocked_until, b.created_at,
  b.lifted_at, b.lifted_by, b.lift_reason, (b.details->>'windowSeconds')::int AS window_seconds, b.shadow,
  b.details - 'limiterKey' - 'verificationId' AS figures,
  (b.lifted_at IS NULL AND b.blocked_until > now()) AS active`;

export async function listBlocks(ds: DataSource, blocks: BlockStore, filter: BlockFilter, page: PageArgs) {
  const where = new Where();
  if (filter.ids) where.add("b.id::text = ANY(?)", filter.ids);
  if (filter.active === true) where.raw("b.lifted_at IS NULL AND b.blocked_until > now()");
  if (filter.active === false) where.raw("(b.lifted_at IS NOT NULL OR b.blocked_until <= now())");
  if (filter.rule) where.add("b.rule = ?", filter.rule);
  if (filter.shadow === true || filter.shadow === false) where.add("b.shadow = ?", filter.shadow);
  if (filter.appId) where.add("b.app_id::text = ?", filter.appId);
  if (filter.from) where.add("b.created_at >= ?", filter.from);
  if (filter.to) where.add("b.created_at < ?", filter.to);
  if (filter.destination) {
    const q = filter.destination;
    if (q.kind !== "exact") throw badInput("q", "Type the whole phone number with its country code, or the e-mail address");
    // Limiter keys are stored only as HMACs: hash the destination as each app's limiter would have keyed it.
    const apps: Array<{ id: string }> = await ds.query(`SELECT id FROM apps`);
    where.add("b.key_hash = ANY(?)", apps.map((a) => blocks.keyHash(`${a.id}:${q.value}`)));
  }
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM rate_limit_blocks b ${where.clause}`, where.params);
  const order = pageSql(page, SORTS, "createdAt", where, "b.id");
  const rows = await ds.query(`SELECT ${COLUMNS} FROM rate_limit_blocks b LEFT JOIN apps a ON a.id = b.app_id ${where.clause} ${order}`, where.params);
  return { rows, total: total as number };
}

export async function loadBlock(ds: DataSource, id: string) {
  const rows = await ds.query(
    `SELECT ${COLUMNS}, b.details->>'limiterKey' AS limiter_key FROM rate_limit_blocks b LEFT JOIN apps a ON a.id = b.app_id WHERE b.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
