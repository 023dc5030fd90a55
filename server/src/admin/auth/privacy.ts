import { maskIp } from "../../protection/client-ip";
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

/**
 * How a client IP is shown: whole to ADMIN; to SUPPORT masked as the block records mask it
 * ("192.0.2.*", an IPv6 address's /64) — enough to tell networks apart, not to single out a subscriber.
 */
export function ipFor(staff: Staff, ip: string | null | undefined): string | null {
  if (!ip) return null;
  return staff.role === StaffRole.ADMIN ? ip : maskIp(ip);
}

/** What one viewer may see of a verification's personal data, for code that builds answers from rows. */
export interface Viewer { destination(value: string | null | undefined): string | null; ip(value: string | null | undefined): string | null }
export const viewerOf = (staff: Staff): Viewer => ({ destination: (v) => destinationFor(staff, v), ip: (v) => ipFor(staff, v) });

/** Whether the viewer sees destinations unmasked. */
export const seesDestinations = (staff: Staff) => staff.role === StaffRole.ADMIN;

/** A reason for an audited action (reveal, lift): required, and short enough to read in the log. */
export function checkReason(raw: string | null | undefined, field = "reason"): string {
  const reason = (raw ?? "").trim();
  if (reason.length < 3) throw badInput(field, "Say why (at least 3 characters); it goes to the audit log");
  if (reason.length > 500) throw badInput(field, "At most 500 characters");
  return reason;
}
