import { getCountries } from "libphonenumber-js/max";
import { badInput } from "../errors";
import { parseAnyDestination } from "../verification/destination";
import type { AttemptQueryFilter } from "./attempts-query";

/** The most a page may hold (the contract's `first ≤ 500`). */
export const MAX_PAGE = 500;
const COUNTRIES: ReadonlySet<string> = new Set(getCountries());

/** A client's filter as it arrives: the query's fields, not yet checked or normalized (parseAttemptFilter does). */
export type AttemptFilterInput = AttemptQueryFilter;

/** Checks a client's filter; anything it cannot mean is BAD_USER_INPUT naming the field, before any query runs. */
export function parseAttemptFilter(input: AttemptFilterInput | null | undefined): AttemptQueryFilter {
  const f = input ?? {};
  checkRange(f.from ?? null, f.to ?? null, "filter.from");
  let country: string | null = null;
  if (f.country != null) {
    country = f.country.trim().toUpperCase();
    if (!COUNTRIES.has(country)) throw badInput("filter.country", "An ISO 3166-1 alpha-2 country code, e.g. US");
  }
  // A full number (any common format) or e-mail address, normalized as requestOtp stores it: an exact match.
  const destination = f.destination != null ? parseAnyDestination(f.destination, "filter.destination").value : null;
  return { from: f.from ?? null, to: f.to ?? null, country, channel: f.channel ?? null, status: f.status ?? null, converted: f.converted ?? null, destination };
}

export function checkFirst(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badInput("first", `Between 1 and ${MAX_PAGE}`);
  return n;
}

export function checkRange(from: Date | null, to: Date | null, field: string): void {
  if (from && to && from.getTime() >= to.getTime()) throw badInput(field, "`from` must be before `to`");
}
