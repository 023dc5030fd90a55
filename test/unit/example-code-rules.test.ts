import { describe, expect, it } from "vitest";
// The browser module of the reference sign-in's <otp-input>, imported as the page imports it.
import { isComplete, sanitizeCode, secondsUntil } from "../../examples/web-signin/public/code-rules.js";

describe("<otp-input> code rules", () => {
  it("keeps digits only: letters, spaces and dashes never enter", () => {
    expect(sanitizeCode("abc", 6)).toBe("");
    expect(sanitizeCode("12a3", 6)).toBe("123");
    expect(sanitizeCode("Your code: 123-456", 6)).toBe("123456");
    expect(sanitizeCode("١٢٣", 6)).toBe(""); // non-ASCII digits are not code digits
    expect(sanitizeCode(undefined, 6)).toBe("");
  });

  it("refuses overlong input: at most codeLength digits", () => {
    expect(sanitizeCode("1234567890", 6)).toBe("123456");
    expect(sanitizeCode("1234567890", 4)).toBe("1234");
  });

  it("is complete at exactly codeLength digits", () => {
    expect(isComplete("12345", 6)).toBe(false);
    expect(isComplete("123456", 6)).toBe(true);
    expect(isComplete("1234567", 6)).toBe(false);
    expect(isComplete("12345a", 6)).toBe(false);
  });

  it("counts down by the server's clock, not the device's", () => {
    const now = Date.parse("2026-12-01T10:00:00.000Z");
    expect(secondsUntil("2026-12-01T10:00:30.000Z", 0, now)).toBe(30);
    // The device runs 10 s behind the server: 20 s are left, not 30.
    expect(secondsUntil("2026-12-01T10:00:30.000Z", 10_000, now)).toBe(20);
    expect(secondsUntil("2026-12-01T09:59:00.000Z", 0, now)).toBe(0);
  });
});
