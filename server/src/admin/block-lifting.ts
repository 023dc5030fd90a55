import { badInput, forbidden, notFound } from "../errors";
import { isUuid } from "../verification/input-rules";
import type { AdminServices } from "./admin-services";
import { checkReason, viewerOf, wholeView } from "./auth/privacy";
import { StaffRole, type Staff } from "./auth/roles";
import { liftNeedsAdmin } from "./lift-rules";
import { loadBlock } from "./queries/blocks";
import { toBlockRecord } from "./records";

/**
 * Lifts a rate-limit block through the gateway's block service (the same path as
 * `otp-gateway block lift`): the row is marked lifted (who, why) and the key freed at once.
 * The money and brute-force guards are ADMIN's to lift (lift-rules.ts): SUPPORT is FORBIDDEN
 * and nothing changes. Audited with the block before and after (as stored: ADMIN reads the log).
 */
export async function liftBlock(admin: AdminServices, staff: Staff, id: string, rawReason: string, ip: string | null) {
  const reason = checkReason(rawReason);
  if (!isUuid(id)) throw notFound("Block not found");
  const before = await loadBlock(admin.ds, id);
  if (!before) throw notFound("Block not found");
  if (liftNeedsAdmin(before.rule) && staff.role !== StaffRole.ADMIN) {
    throw forbidden(`Lifting a ${before.rule} block needs the ADMIN role: it guards against fraud that costs money or guesses codes and passwords`);
  }
  if (before.lifted_at) throw badInput("id", "This block was already lifted");
  await admin.gateway.blockService.lift(id, staff.email, reason);
  const after = await loadBlock(admin.ds, id);
  await admin.audit.record({
    actor: staff, action: "block.lift", targetType: "rate_limit_block", targetId: id, reason, ip,
    before: toBlockRecord(before, wholeView), after: toBlockRecord(after, wholeView),
  });
  return toBlockRecord(after, viewerOf(staff));
}
