import { describe, expect, it } from "vitest";
import { divide, fromMicros, isPositive, toMicros } from "../../server/src/admin/spend/decimal-money";

/** Money on the spend page is exact: Postgres's numeric sums divided as integers of micro-units, never as floats. */
describe("decimal money", () => {
  it("reads and writes numeric strings exactly", () => {
    expect(toMicros("0.0079")).toBe(7900n);
    expect(toMicros("12")).toBe(12_000_000n);
    expect(toMicros("0.1234567")).toBe(123456n); // beyond the column's scale: cut, as numeric(14,6) stores it
    expect(fromMicros(170000n)).toBe("0.17");
    expect(fromMicros(100000n)).toBe("0.10");
    expect(fromMicros(5_033_700n)).toBe("5.0337");
    expect(() => toMicros("1e3")).toThrow();
  });

  it("divides with half-up rounding to six places, and not by zero", () => {
    expect(divide("0.0337", 5)).toBe("0.00674");
    expect(divide("0.1", 3)).toBe("0.033333");
    expect(divide("0.2", 3)).toBe("0.066667");
    // 0.1 + 0.2 as floats is 0.30000000000000004; here it stays what Postgres summed.
    expect(divide("0.300000", 1)).toBe("0.30");
    expect(divide("1", 0)).toBeNull();
    expect(isPositive("0.000000")).toBe(false);
    expect(isPositive("0.000001")).toBe(true);
  });
});
