/**
 * Exact arithmetic on the decimal strings Postgres returns for `numeric` sums. Money is never
 * a float here: a cost per verified user is the sum divided by a count, rounded half up to six
 * places (the column's scale), then written without trailing zeros beyond the cents.
 */
const SCALE = 6;
const UNIT = 10n ** BigInt(SCALE);

/** "12.345" → 12345000n (micro-units); only non-negative decimals reach here (sums of prices). */
export function toMicros(amount: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(amount.trim());
  if (!m) throw new Error(`not a decimal amount: ${amount}`);
  const [, sign, whole, frac = ""] = m;
  const micros = BigInt(whole || "0") * UNIT + BigInt((frac + "0".repeat(SCALE)).slice(0, SCALE) || "0");
  return sign ? -micros : micros;
}

/** 12345000n → "12.345"; at least two decimals ("0.10"), at most six. */
export function fromMicros(micros: bigint): string {
  const sign = micros < 0n ? "-" : "";
  const abs = micros < 0n ? -micros : micros;
  const frac = (abs % UNIT).toString().padStart(SCALE, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${sign}${abs / UNIT}.${frac}`;
}

/** `amount` ÷ `count`, rounded half up to six places; null when the count is 0 (nobody to divide among). */
export function divide(amount: string, count: number): string | null {
  if (!Number.isInteger(count) || count <= 0) return null;
  const n = BigInt(count);
  const micros = toMicros(amount);
  return fromMicros((micros * 2n + n) / (2n * n));
}

export const isPositive = (amount: string) => toMicros(amount) > 0n;
