import { createHmac } from "node:crypto";
import type { DataSource } from "typeorm";

export interface BlockRecord {
  appId: string | null;
  rule: string;
  /** The limiter key (e.g. "<app>:<destination>"); kept so that lifting can reset the counter. */
  key: string;
  keyMasked: string;
  hits: number;
  limit: number;
  blockedUntil: Date;
  /** A block the pumping guard would have made in record_only mode: recorded, nothing refused. */
  shadow?: boolean;
  details?: Record<string, unknown>;
}

/** A block as it was stored, for whoever listens (BlockStore.onCreated): the limiter key stays inside. */
export interface CreatedBlock extends Omit<BlockRecord, "key"> { id: string }

/**
 * Stores every rate-limit refusal as a row support staff can read and an operator can lift.
 * `record` is the one way a block comes to exist (limits, the pumping guard, the spend ceiling,
 * resend cooldowns), so `onCreated` sees each one: the hook for `block.created` events.
 */
export class BlockStore {
  private readonly listeners: Array<(block: CreatedBlock) => void | Promise<void>> = [];

  constructor(private readonly ds: DataSource, private readonly lookupKey: Buffer) {}

  /** Called after each block is stored; a listener's failure is its own (logged by it), never the refusal's. */
  onCreated(listener: (block: CreatedBlock) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  keyHash(key: string): string {
    return createHmac("sha256", this.lookupKey).update(key).digest("base64url");
  }

  async record(b: BlockRecord): Promise<string> {
    const [row] = await this.ds.query(
      `INSERT INTO rate_limit_blocks (app_id, rule, key_hash, key_masked, hits, "limit", blocked_until, shadow, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [b.appId, b.rule, this.keyHash(b.key), b.keyMasked, b.hits, b.limit, b.blockedUntil, !!b.shadow, { ...b.details, limiterKey: b.key }],
    );
    const { key: _key, ...shown } = b;
    for (const listener of this.listeners) await Promise.resolve(listener({ ...shown, shadow: !!b.shadow, id: row.id })).catch(() => undefined);
    return row.id;
  }

  /**
   * Marks a block lifted, together with any other active block on the same rule and key (a
   * lift frees the key, not one row of it). Returns what the caller needs to reset the
   * counter, or null when the id is unknown or the block was already lifted.
   */
  async lift(id: string, by: string, reason: string): Promise<LiftedBlock | null> {
    const rows = await this.ds.query(
      `WITH target AS (
         SELECT id, rule, key_hash, shadow FROM rate_limit_blocks WHERE id = $1 AND lifted_at IS NULL
       ),
       l AS (
         UPDATE rate_limit_blocks b SET lifted_at = now(), lifted_by = $2, lift_reason = $3
           FROM target t
          WHERE b.lifted_at IS NULL AND (b.id = t.id OR (b.rule = t.rule AND b.key_hash = t.key_hash AND b.shadow = t.shadow AND b.blocked_until > now()))
          RETURNING b.id, b.app_id, b.rule, b.key_masked, b.shadow, b.details
       )
       SELECT l.*, (l.id = $1) AS is_target FROM l`,
      [id, by, reason],
    );
    const target = rows.find((r: any) => r.is_target);
    if (!target) return null;
    return {
      id: target.id, appId: target.app_id, rule: target.rule, keyMasked: target.key_masked,
      key: target.details?.limiterKey ?? null, details: target.details ?? {}, shadow: target.shadow, alsoLifted: rows.length - 1,
    };
  }

  /** Blocks newest first, for operators (the dashboard has its own filtered, paged query). */
  async list(options: { active?: boolean; appId?: string; limit?: number } = {}): Promise<BlockSummary[]> {
    const rows = await this.ds.query(
      `SELECT id, app_id, rule, key_masked, hits, "limit", blocked_until, created_at, lifted_at, lifted_by, lift_reason, shadow,
              (lifted_at IS NULL AND blocked_until > now()) AS active, details - 'limiterKey' AS details
         FROM rate_limit_blocks
        WHERE ($1::boolean IS NOT TRUE OR (lifted_at IS NULL AND blocked_until > now()))
          AND ($2::uuid IS NULL OR app_id = $2::uuid)
        ORDER BY created_at DESC, id LIMIT $3`,
      [options.active ?? null, options.appId ?? null, options.limit ?? 100],
    );
    return rows.map((r: any) => ({
      id: r.id, appId: r.app_id, rule: r.rule, keyMasked: r.key_masked, hits: r.hits, limit: r.limit,
      blockedUntil: r.blocked_until, createdAt: r.created_at, active: r.active,
      liftedAt: r.lifted_at, liftedBy: r.lifted_by, liftReason: r.lift_reason, shadow: r.shadow, details: r.details ?? {},
    }));
  }
}

export interface LiftedBlock {
  id: string;
  appId: string | null;
  rule: string;
  keyMasked: string;
  /** The limiter key in clear (from details), to reset the counter; null for rows without one. */
  key: string | null;
  details: Record<string, any>;
  shadow: boolean;
  /** Other active rows on the same rule and key lifted with it. */
  alsoLifted: number;
}

/** A block as operators see it: the key masked, never the limiter key in clear. */
export interface BlockSummary {
  id: string;
  appId: string | null;
  rule: string;
  keyMasked: string;
  hits: number;
  limit: number;
  blockedUntil: Date;
  createdAt: Date;
  active: boolean;
  liftedAt: Date | null;
  liftedBy: string | null;
  liftReason: string | null;
  shadow: boolean;
  details: Record<string, unknown>;
}
