/**
 * Which blocks only ADMIN may lift (contract, "Support staff see masked numbers, everywhere"):
 * the money guards — the pumping guard's (`pumping_*`) and the daily spend ceilings
 * (`spend_ceiling_*`) — and the brute-force ones — NIST's daily cap of wrong codes per
 * destination (`verify_failures_per_destination_day`) and staff sign-in (`admin_login_*`).
 * Lifting one spends money or hands out guesses at a customer's code or a staff password: a
 * support agent talked into it by a "customer" on the phone is the attack. SUPPORT lifts the
 * everyday limits (sends per destination, resend cooldowns, …). The CLI lifts anything: it
 * runs as the operator.
 */
export function liftNeedsAdmin(rule: string): boolean {
  return rule.startsWith("pumping_") || rule.startsWith("spend_ceiling_") || rule.startsWith("admin_login_") || rule === "verify_failures_per_destination_day";
}
