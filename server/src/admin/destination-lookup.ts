import { seesDestinations } from "./auth/privacy";
import type { AdminContext } from "./context";
import { staffOf } from "./context";
import { parseDestinationQuery, type DestinationQuery } from "./queries/destination-search";

/**
 * A search box reading a destination, under the viewer's rules: SUPPORT finds a verification
 * only by its whole destination (any format; a number without its country code is read as one of
 * the search country's), ADMIN also by a national number's digits.
 */
export async function destinationQuery(ctx: AdminContext, q: string | null | undefined): Promise<DestinationQuery | null> {
  if (!q) return null;
  const admin = seesDestinations(staffOf(ctx));
  // The country is looked up only for what needs it: a SUPPORT search without a + or 00.
  const country = !admin && !/^\s*(\+|00)/.test(q) && !q.includes("@") ? await ctx.admin.searchCountry.get() : null;
  return parseDestinationQuery(q, "q", admin, country);
}

/**
 * Every search by destination leaves an audit row — who looked for which number or address,
 * where, and how many records answered — written before the answer is returned, so a run of
 * probing searches is visible in the audit log even when each one finds nothing.
 */
export async function auditDestinationSearch(ctx: AdminContext, targetType: string, query: DestinationQuery | null, matches: number): Promise<void> {
  if (!query) return;
  await ctx.admin.audit.record({
    actor: staffOf(ctx), action: `${targetType}.search`, targetType, ip: ctx.ip,
    after: { [query.kind === "id" ? "id" : "destination"]: query.value, kind: query.kind, matches },
  });
}
