import { badInput, notFound } from "../errors";
import { isUuid } from "../verification/input-rules";
import type { AdminServices } from "./admin-services";
import { checkReason } from "./auth/privacy";
import type { Staff } from "./auth/roles";
import { loadBlock } from "./queries/blocks";
import { toBlockRecord } from "./records";

/** The gateway's block service (services.blockService: marks the row and frees the key, cooldowns included), when wired. */
interface BlockLifter { lift(id: string, by: string, reason: string): Promise<unknown> }

/**
 * Lifts a rate-limit block: marks the row lifted (who, why) and resets the limiter's counter so
 * the customer can try again at once. Audited with the block before and after.
 */
export async function liftBlock(admin: AdminServices, staff: Staff, id: string, rawReason: string, ip: string | null) {
  const reason = checkReason(rawReason);
  if (!isUuid(id)) throw notFound("Block not found");
  const before = await loadBlock(admin.ds, id);
  if (!before) throw notFound("Block not found");
  if (before.lifted_at) throw badInput("id", "This block was already lifted");

  const lifter = (admin.gateway as unknown as { blockService?: BlockLifter }).blockService;
  if (lifter && typeof lifter.lift === "function") {
    await lifter.lift(id, staff.email, reason);
  } else {
    const lifted = await admin.gateway.blocks.lift(id, staff.email, reason);
    if (!lifted) throw badInput("id", "This block was already lifted");
    if (lifted.key) {
      // The limiter is found by rule name and shape; the row keeps both.
      await admin.gateway.limits.reset({ name: before.rule, points: before.limit, durationSeconds: before.window_seconds ?? 600 }, lifted.key);
    }
  }
  const after = await loadBlock(admin.ds, id);
  await admin.audit.record({
    actor: staff, action: "block.lift", targetType: "rate_limit_block", targetId: id, reason, ip,
    before: toBlockRecord(before), after: toBlockRecord(after),
  });
  return toBlockRecord(after);
}
