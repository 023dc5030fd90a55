import { maskIp } from "../../protection/client-ip";
import { badInput } from "../../errors";
import { scrubVendorText } from "../../providers/scrub-vendor-text";
import { callingCodeOf, maskByParsing, maskDestination } from "../../verification/destination";
import { StaffRole, type Staff } from "./roles";

/**
 * What SUPPORT may see of a customer (contract: "Support staff see masked numbers,
 * everywhere"): of a phone number, its calling code and last four digits — never more, in
 * any one answer or in any two put together. ADMIN sees what is stored. The one way past it
 * is revealDestination: one verification's number, for a reason, audited.
 */

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

/** A number prefix as block records store it (protection/number-policy.ts maskPrefix: "+1415555xxxx"). */
const PREFIX_KEY = /^\+\d+x{4}$/;

/**
 * A block's key. Stored keys are masked already, except a number prefix's ("+1415555xxxx"):
 * that is the number without its last four digits, and a masked number ("+1******2671") in the
 * timeline that links the block supplies exactly those four. So SUPPORT sees a prefix's calling
 * code only ("+1…"); the block's country and figures still say where the traffic went.
 */
export function blockKeyFor(staff: Staff, key: string): string {
  if (staff.role === StaffRole.ADMIN || !PREFIX_KEY.test(key)) return key;
  const cc = callingCodeOf(key);
  return cc ? `+${cc}…` : "+…";
}

/**
 * Free text that may quote a customer — a vendor's or an endpoint's error, a lift reason or a
 * request's purpose: whole to ADMIN; to SUPPORT with e-mail addresses and phone numbers masked
 * the way vendor texts are scrubbed at the provider boundary (masked texts pass unchanged).
 */
export function textFor(staff: Staff, text: string | null | undefined): string | null {
  if (text == null) return null;
  return staff.role === StaffRole.ADMIN ? text : scrubVendorText(text);
}

/**
 * An end user's identifier given by a client app — an authenticator's subject or label, often
 * an e-mail address or a phone number: whole to ADMIN; to SUPPORT an address or number masked
 * like a destination, anything else its first character and (when long enough to keep
 * something hidden) its last two: "a***@example.com", "+1******0123", "c***-7".
 */
export function identifierFor(staff: Staff, value: string | null | undefined): string | null {
  if (value == null) return null;
  return staff.role === StaffRole.ADMIN ? value : maskIdentifier(value);
}

export function maskIdentifier(value: string): string {
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return maskDestination(value);
  if (/^\+[\d\s().-]{7,}$/.test(value)) return maskByParsing(value);
  const chars = [...value];
  return chars.length >= 6 ? `${chars[0]}***${chars.slice(-2).join("")}` : `${chars[0] ?? ""}***`;
}

/** What one viewer may see of customers' data, for code that builds answers from rows. */
export interface Viewer {
  destination(value: string | null | undefined): string | null;
  ip(value: string | null | undefined): string | null;
  text(value: string | null | undefined): string | null;
  identifier(value: string | null | undefined): string | null;
  blockKey(key: string): string;
}
export const viewerOf = (staff: Staff): Viewer => ({
  destination: (v) => destinationFor(staff, v),
  ip: (v) => ipFor(staff, v),
  text: (v) => textFor(staff, v),
  identifier: (v) => identifierFor(staff, v),
  blockKey: (k) => blockKeyFor(staff, k),
});

/** Everything as stored: for the audit log's snapshots, which only ADMIN reads. */
export const wholeView: Viewer = viewerOf({ role: StaffRole.ADMIN } as Staff);

/** Whether the viewer sees destinations unmasked. */
export const seesDestinations = (staff: Staff) => staff.role === StaffRole.ADMIN;

/** A reason for an audited action (reveal, lift): required, and short enough to read in the log. */
export function checkReason(raw: string | null | undefined, field = "reason"): string {
  const reason = (raw ?? "").trim();
  if (reason.length < 3) throw badInput(field, "Say why (at least 3 characters); it goes to the audit log");
  if (reason.length > 500) throw badInput(field, "At most 500 characters");
  return reason;
}
