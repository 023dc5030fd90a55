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
  details?: Record<string, unknown>;
}

/** Stores every rate-limit refusal as a row support staff can read and an operator can lift. */
export class BlockStore {
  constructor(private readonly ds: DataSource, private readonly lookupKey: Buffer) {}

  keyHash(key: string): string {
    return createHmac("sha256", this.lookupKey).update(key).digest("base64url");
  }

  async record(b: BlockRecord): Promise<string> {
    const [row] = await this.ds.query(
      `INSERT INTO rate_limit_blocks (app_id, rule, key_hash, key_masked, hits, "limit", blocked_until, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [b.appId, b.rule, this.keyHash(b.key), b.keyMasked, b.hits, b.limit, b.blockedUntil, { ...b.details, limiterKey: b.key }],
    );
    return row.id;
  }

  /** Marks a block lifted; returns its rule and limiter key so the caller can reset the counter. */
  async lift(id: string, by: string, reason: string): Promise<{ rule: string; key: string } | null> {
    const rows = await this.ds.query(
      `WITH l AS (
         UPDATE rate_limit_blocks SET lifted_at = now(), lifted_by = $2, lift_reason = $3
          WHERE id = $1 AND lifted_at IS NULL RETURNING rule, details->>'limiterKey' AS key
       ) SELECT * FROM l`,
      [id, by, reason],
    );
    return rows.length ? { rule: rows[0].rule, key: rows[0].key } : null;
  }
}
