import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { badInput, notFound } from "../errors";
import { isUuid } from "../verification/input-rules";
import type { BlockStore, BlockSummary, LiftedBlock } from "./block-store";
import type { PumpingGuard } from "./pumping-guard";
import type { RateLimits } from "./rate-limits";

/**
 * What an operator does with blocks, for the CLI and the dashboard alike: list them, and lift
 * one. Lifting marks the row (who, when, why) and frees the key at once: the limiter's counter
 * is reset, or for a resend cooldown the verification may resend now. A lift is a decision
 * that stays on record; the row is never deleted.
 */
export class BlockService {
  constructor(
    private readonly ds: DataSource,
    private readonly store: BlockStore,
    private readonly limits: RateLimits,
    private readonly log: Logger,
    private readonly pumping?: PumpingGuard,
  ) {}

  list(options: { active?: boolean; appId?: string; limit?: number } = {}): Promise<BlockSummary[]> {
    if (options.appId && !isUuid(options.appId)) throw badInput("appId", "appId must be an app's id");
    return this.store.list(options);
  }

  async lift(id: string, by: string, reason: string): Promise<LiftedBlock> {
    const why = reason?.trim() ?? "";
    if (!why || why.length > 500) throw badInput("reason", "Say why the block is lifted (1 to 500 characters)");
    if (!by?.trim() || by.length > 200) throw badInput("by", "Say who lifts the block");
    if (!isUuid(id)) throw notFound("Block not found or already lifted");
    const lifted = await this.store.lift(id, by.trim(), why);
    if (!lifted) throw notFound("Block not found or already lifted");
    if (lifted.rule === "resend_cooldown") {
      // The cooldown lives on the verification row, not in a counter.
      await this.ds.query(`UPDATE verifications SET resend_available_at = now(), updated_at = now() WHERE id = $1 AND status = 'PENDING'`, [
        lifted.details.verificationId,
      ]);
    } else if (lifted.key && lifted.rule.startsWith("pumping_") && this.pumping) {
      // The block, its escalation (the next block starts again at the first step) and the sends behind it.
      await this.pumping.lift(lifted.rule, lifted.key, lifted.shadow);
    } else if (lifted.key) {
      await this.limits.reset(lifted.rule, lifted.key);
    }
    this.log.info({ blockId: lifted.id, rule: lifted.rule, key: lifted.keyMasked, by: by.trim() }, "rate-limit block lifted");
    return lifted;
  }
}
