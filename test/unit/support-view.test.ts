import { describe, expect, it } from "vitest";
import { blockKeyFor, identifierFor, textFor } from "../../server/src/admin/auth/privacy";
import { StaffRole, type Staff } from "../../server/src/admin/auth/roles";
import { liftNeedsAdmin } from "../../server/src/admin/lift-rules";
import { maskPrefix, numberPrefix } from "../../server/src/protection/number-policy";

const support = { role: StaffRole.SUPPORT } as Staff;
const admin = { role: StaffRole.ADMIN } as Staff;

/** What SUPPORT sees of block keys, free texts and end users' identifiers (auth/privacy.ts); ADMIN sees them as stored. */
describe("the SUPPORT view", () => {
  it.each([
    ["+14155552671", "+1…"],
    ["+33612345678", "+33…"],
    ["+447911123456", "+44…"],
    ["+3548001234", "+354…"],
  ])("a number prefix's block key (%s without its last four digits) is its calling code: %s", (number, shown) => {
    const key = maskPrefix(numberPrefix(number));
    expect(blockKeyFor(support, key)).toBe(shown);
    expect(blockKeyFor(admin, key)).toBe(key);
  });

  it.each(["+1******2671", "+1******2671 from 192.0.2.*", "FR", "Shop: SMS, voice and WhatsApp", "j***@example.com", "factor 3f2a1234-5678-4abc-9def-0123456789ab"])(
    "other block keys (masked when stored) pass unchanged: %s", (key) => {
      expect(blockKeyFor(support, key)).toBe(key);
    });

  it("free texts lose numbers and addresses for SUPPORT, not for ADMIN; already masked texts stay as they are", () => {
    const text = "Customer +1 (415) 555-2671 <jane.doe@example.com> called, ticket 77";
    expect(textFor(support, text)).toBe("Customer +1******2671 <j***@example.com> called, ticket 77");
    expect(textFor(support, textFor(support, text))).toBe(textFor(support, text));
    expect(textFor(admin, text)).toBe(text);
    expect(textFor(support, null)).toBeNull();
  });

  it.each([
    ["ann@example.com", "a***@example.com"],
    ["+44 7911 654321", "+44******4321"],
    ["+14155559876", "+1******9876"],
    ["customer-7", "c***-7"],
    ["customer-90210-ann", "c***nn"],
    ["bob", "b***"],
    ["", "***"],
  ])("an authenticator subject or label %j reaches SUPPORT as %j", (value, shown) => {
    expect(identifierFor(support, value)).toBe(shown);
    expect(identifierFor(admin, value)).toBe(value);
  });

  it("lifting the money and brute-force guards is ADMIN's; the everyday limits are anyone's", () => {
    for (const rule of ["pumping_prefix", "pumping_country", "pumping_country_known", "spend_ceiling_paid", "spend_ceiling_email", "verify_failures_per_destination_day", "admin_login_per_email", "admin_login_per_ip"]) {
      expect(liftNeedsAdmin(rule), rule).toBe(true);
    }
    for (const rule of ["sends_per_destination", "sends_per_ip", "sends_per_prefix", "sends_per_country", "app_hourly_budget", "resend_cooldown", "verify_failures_per_destination", "verify_failures_per_ip", "totp_failures_per_factor"]) {
      expect(liftNeedsAdmin(rule), rule).toBe(false);
    }
  });
});
