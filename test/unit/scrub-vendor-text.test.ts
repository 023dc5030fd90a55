import { describe, expect, it } from "vitest";
import { scrubCode, scrubVendorRaw, scrubVendorText } from "../../server/src/providers/scrub-vendor-text";

/** Vendor error texts lose the destinations they quote before anything stores, shows or logs them. */
describe("scrubVendorText", () => {
  it.each([
    ["The 'To' number +14155550123 is not a valid phone number.", "The 'To' number +1******0123 is not a valid phone number."],
    ["550 5.1.1 <jane.doe@example.com>: Recipient address rejected: User unknown", "550 5.1.1 <j***@example.com>: Recipient address rejected: User unknown"],
    ["Can't send to +44 20 7946 0958 right now", "Can't send to +44******0958 right now"],
    ["To number (415) 555-0123 unreachable", "To number ******0123 unreachable"],
    ["mailbox \"bob@mail.example.co.uk\" full", "mailbox \"b***@mail.example.co.uk\" full"],
  ])("%j → %j", (raw, scrubbed) => {
    expect(scrubVendorText(raw)).toBe(scrubbed);
  });

  it.each(["Twilio error 30003: Unreachable destination handset", "421 4.7.0 Try again later", "Queued at 2026-12-01 10:00:00", "HTTP 500", "Vonage error 6"])(
    "leaves %j alone (codes, dates, short numbers)",
    (text) => expect(scrubVendorText(text)).toBe(text),
  );

  it("passes null through", () => expect(scrubVendorText(null)).toBeNull());

  it("is idempotent: a scrubbed text scrubs to itself (re-scrubbing stored rows changes only raw ones)", () => {
    for (const raw of ["The 'To' number +14155550123 is not valid", "550 <jane.doe@example.com>: rejected", "To number (415) 555-0123 unreachable"]) {
      const once = scrubVendorText(raw);
      expect(once).not.toBe(raw);
      expect(scrubVendorText(once)).toBe(once);
    }
  });
});

describe("scrubVendorRaw", () => {
  it("scrubs the vendor's words in a receipt's raw parameters and leaves ids, codes and timestamps as received", () => {
    const raw = {
      errorMessage: "Handset +14155550123 off", error_detail: "bob@example.com unknown", statusReason: "+447700900123 absent",
      "message-id": "0A0000001234ABCD", scts: "2001011400", err_code: "1",
    };
    expect(scrubVendorRaw(raw)).toEqual({
      errorMessage: "Handset +1******0123 off", error_detail: "b***@example.com unknown", statusReason: "+44******0123 absent",
      "message-id": "0A0000001234ABCD", scts: "2001011400", err_code: "1",
    });
    expect(raw.errorMessage).toBe("Handset +14155550123 off"); // a copy: the caller's object is untouched
  });
});

/** A vendor that quotes the message back in its error would put the code in the log: the worker removes it by value. */
describe("scrubCode", () => {
  it.each([
    ["Message '042817 is your Acme code. Valid 5 min.' too long", "042817", "Message '[code] is your Acme code. Valid 5 min.' too long"],
    ["Could not say 'Your code is 0, 4, 2, 8, 1, 7. Again: 0, 4, 2, 8, 1, 7.'", "042817", "Could not say 'Your code is [code]. Again: [code].'"],
    ["Rejected: 0428 17", "042817", "Rejected: [code]"],
    ["Error 500 at 12:00", "042817", "Error 500 at 12:00"],
    ["no digits of the code here: 999999", "042817", "no digits of the code here: 999999"],
  ])("%j without %s → %j", (text, code, scrubbed) => {
    expect(scrubCode(text, code)).toBe(scrubbed);
  });
});
