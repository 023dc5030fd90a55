import { readFileSync } from "node:fs";
import { getCountries } from "libphonenumber-js/max";
import { Channel } from "../verification/enums";
import { vendorPrice, type Price } from "./vendor-price";

/** One line of PRICE_TABLE: `*` matches anything (and, for `country`, e-mail's missing country too). */
export interface PriceEntry { provider: string; channel: Channel | "*"; country: string | "*"; amount: string; currency: string }

const COUNTRIES: ReadonlySet<string> = new Set(getCountries());
const CHANNELS: ReadonlySet<string> = new Set(Object.values(Channel));
const KEYS = ["provider", "channel", "country", "amount", "currency"];

/**
 * The operator's price list (PRICE_TABLE), for the vendors that don't report what they charged.
 * The most specific entry wins: the one with the most non-wildcard fields; between equally specific
 * ones, an exact provider beats an exact country, which beats an exact channel. Two entries for the
 * same key are refused at start-up, so the answer never depends on the file's order.
 */
export class PriceTable {
  private readonly entries: Array<PriceEntry & { rank: number }>;

  constructor(entries: readonly PriceEntry[]) {
    const rank = (e: PriceEntry) => (e.provider !== "*" ? 4 : 0) + (e.country !== "*" ? 2 : 0) + (e.channel !== "*" ? 1 : 0);
    const specificity = (r: number) => (r & 4 ? 1 : 0) + (r & 2 ? 1 : 0) + (r & 1 ? 1 : 0);
    this.entries = entries.map((e) => ({ ...e, rank: rank(e) })).sort((a, b) => specificity(b.rank) - specificity(a.rank) || b.rank - a.rank);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The price of one message through `provider` on `channel` to `country` (null for e-mail); null when no entry matches. */
  lookup(provider: string, channel: string, country: string | null): Price | null {
    const e = this.entries.find((x) =>
      (x.provider === "*" || x.provider === provider) && (x.channel === "*" || x.channel === channel) && (x.country === "*" || x.country === country));
    return e ? { amount: e.amount, currency: e.currency } : null;
  }
}

export const EMPTY_PRICE_TABLE = new PriceTable([]);

/** Reads and checks the PRICE_TABLE file; every problem is one line naming the entry and field (never silently skipped). */
export function loadPriceTable(path: string): { table: PriceTable; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return { table: EMPTY_PRICE_TABLE, problems: [`PRICE_TABLE cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`] };
  }
  return parsePriceTable(text);
}

export function parsePriceTable(text: string): { table: PriceTable; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { table: EMPTY_PRICE_TABLE, problems: ["PRICE_TABLE is not valid JSON"] };
  }
  if (!Array.isArray(value)) return { table: EMPTY_PRICE_TABLE, problems: ['PRICE_TABLE must be a JSON array of { "provider", "channel", "country", "amount", "currency" }'] };
  const problems: string[] = [];
  const entries: PriceEntry[] = [];
  const seen = new Set<string>();
  value.forEach((raw, i) => {
    const at = `PRICE_TABLE[${i}]`;
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return problems.push(`${at} must be an object`);
    const o = raw as Record<string, unknown>;
    const unknownKey = Object.keys(o).find((k) => !KEYS.includes(k));
    if (unknownKey) return problems.push(`${at} has an unknown field "${unknownKey.slice(0, 40)}"`);
    const provider = typeof o.provider === "string" ? o.provider.trim().toLowerCase() : "";
    if (!/^(\*|[a-z][a-z0-9_-]{0,39})$/.test(provider)) return problems.push(`${at}.provider must be a provider name (e.g. "twilio") or "*"`);
    const channel = typeof o.channel === "string" ? o.channel.trim().toUpperCase() : "";
    if (channel !== "*" && !CHANNELS.has(channel)) return problems.push(`${at}.channel must be one of ${[...CHANNELS].join(", ")} or "*"`);
    const country = typeof o.country === "string" ? o.country.trim().toUpperCase() : "";
    if (country !== "*" && !COUNTRIES.has(country)) return problems.push(`${at}.country must be an ISO 3166-1 alpha-2 code (e.g. "US") or "*"`);
    const price = typeof o.amount === "string" || typeof o.amount === "number" ? vendorPrice(o.amount, o.currency) : null;
    if (!price || String(o.amount).trim().startsWith("-")) return problems.push(`${at} needs "amount" (a non-negative decimal, e.g. "0.0075") and "currency" (ISO 4217, e.g. "USD")`);
    const key = `${provider}|${channel}|${country}`;
    if (seen.has(key)) return problems.push(`${at} repeats provider ${provider}, channel ${channel}, country ${country}`);
    seen.add(key);
    entries.push({ provider, channel: channel as PriceEntry["channel"], country, amount: price.amount, currency: price.currency });
  });
  return { table: problems.length ? EMPTY_PRICE_TABLE : new PriceTable(entries), problems };
}
