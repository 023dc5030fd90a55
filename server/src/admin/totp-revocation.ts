import { badInput, notFound } from "../errors";
import { FactorStatus } from "../totp/totp.types";
import { toFactorView, type FactorRow, type TotpStore } from "../totp/totp-store";
import { isUuid } from "../verification/input-rules";
import type { Actor, AuditLog } from "./auth/audit-log";
import { checkReason } from "./auth/privacy";

const snapshot = (r: FactorRow) => ({ ...toFactorView(r), appId: r.app_id });

/**
 * Revokes an end user's factor on staff's word (dashboard ADMIN, or `otp-gateway totp revoke`):
 * the same store path as the client API's revokeTotpFactor (the secret is erased), with a
 * required reason and an audit entry written in the same transaction.
 */
export async function revokeFactorAudited(
  deps: { store: TotpStore; audit: AuditLog },
  actor: Actor,
  id: string,
  rawReason: string,
  ip: string | null,
): Promise<FactorRow> {
  const reason = checkReason(rawReason);
  const row = isUuid(id) ? await deps.store.findAnyApp(id) : null;
  if (!row) throw notFound("Factor not found");
  if (row.status === FactorStatus.REVOKED) throw badInput("id", "This factor is already revoked");
  const done = await deps.store.revoke(row.app_id, id, (m, { before, after }) =>
    deps.audit.record({ actor, action: "totp_factor.revoke", targetType: "totp_factor", targetId: id, reason, ip, before: snapshot(before), after: snapshot(after) }, m));
  if (!done) throw notFound("Factor not found");
  return done.after;
}

