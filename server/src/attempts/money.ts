/** A price as the API shows it: an exact decimal string (never a float) and its ISO 4217 currency. */
export interface MoneyView { amount: string; currency: string }

/** Postgres numeric text ("0.007500", "12.000000") without the scale's trailing zeros ("0.0075", "12"). */
export function trimDecimal(text: string): string {
  if (!text.includes(".")) return text;
  return text.replace(/0+$/, "").replace(/\.$/, "");
}

export function moneyOf(amount: string | null, currency: string | null): MoneyView | null {
  if (amount === null || currency === null) return null;
  return { amount: trimDecimal(String(amount)), currency };
}
