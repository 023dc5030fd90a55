import { badInput } from "../../errors";
import { maskDestination } from "../../verification/destination";
import { StaffRole, type Staff } from "./roles";

/**
 * How a destination is shown to a staff member: ADMIN sees it whole, SUPPORT masked
 * ("+1******4567"); SUPPORT reveals one with a reason, which is audited (revealDestination).
 */
export function destinationFor(staff: Staff, value: string | null | undefined): string | null {
  if (!value) return null;
  return staff.role === StaffRole.ADMIN ? value : maskDestination(value);
}

/** Whether the viewer sees destinations unmasked. */
export const seesDestinations = (staff: Staff) => staff.role === StaffRole.ADMIN;

/** A reason for an audited action (reveal, lift): required, and short enough to read in the log. */
export function checkReason(raw: string | null | undefined, field = "reason"): string {
  const reason = (raw ?? "").trim();
  if (reason.length < 3) throw badInput(field, "Say why (at least 3 characters); it goes to the audit log");
  if (reason.length > 500) throw badInput(field, "At most 500 characters");
  return reason;
}
