import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { seesDestinations, viewerOf, type Viewer } from "../auth/privacy";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { factorTimeline, listFactors, loadFactor } from "../queries/totp-factors";
import { revokeFactorAudited } from "../totp-revocation";
import { PageArgs } from "../types/page-args";
import { TotpFactorDetail, TotpFactorFilter, TotpFactorPage, TotpFactorRecord } from "../types/totp.types";

const toRecord = (r: Record<string, any>, viewer: Viewer): TotpFactorRecord => ({
  id: r.id, appId: r.app_id, appName: r.app_name, subject: viewer.identifier(r.subject)!, label: viewer.identifier(r.label), status: r.status,
  createdAt: new Date(r.created_at), verifiedAt: r.verified_at && new Date(r.verified_at), lastUsedAt: r.last_used_at && new Date(r.last_used_at),
  revokedAt: r.revoked_at && new Date(r.revoked_at), attemptsDay: r.attempts_day ?? 0, failuresDay: r.failures_day ?? 0,
  lastAttemptAt: r.last_attempt_at && new Date(r.last_attempt_at), lastAttemptOutcome: r.last_attempt_outcome ?? null,
});

/**
 * End users' authenticator factors: any staff role reads them — SUPPORT with subjects, labels
 * and client IPs masked, finding a subject only by the whole of it; ADMIN revokes, with a reason.
 */
@Authorized()
@Resolver()
export class TotpAdminResolver {
  @Query(() => TotpFactorPage, { description: "Factors by app and subject (ADMIN: or its start; SUPPORT: the whole subject), newest first. A search by subject is audited" })
  async totpFactors(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => TotpFactorFilter, { nullable: true }) filter: TotpFactorFilter | null,
    @Ctx() ctx: AdminContext,
  ): Promise<TotpFactorPage> {
    const staff = staffOf(ctx);
    const subject = filter?.subject || null;
    // SUPPORT sees subjects masked: a search by the start of one would be an oracle for the rest.
    const exactSubject = !seesDestinations(staff);
    const { rows, total } = await listFactors(ctx.admin.ds, { ...filter, subject, exactSubject }, page);
    // Like a search by destination: who looked for which user, how many answered — before the answer.
    if (subject) {
      await ctx.admin.audit.record({
        actor: staff, action: "totp_factor.search", targetType: "totp_factor", ip: ctx.ip,
        after: { subject, kind: exactSubject ? "exact" : "prefix", appId: filter?.appId ?? null, matches: total },
      });
    }
    const viewer = viewerOf(staff);
    return { data: rows.map((r: Record<string, any>) => toRecord(r, viewer)), total };
  }

  @Query(() => TotpFactorDetail, { nullable: true })
  async totpFactor(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<TotpFactorDetail | null> {
    const row = await loadFactor(ctx.admin.ds, id);
    if (!row) return null;
    const viewer = viewerOf(staffOf(ctx));
    return { ...toRecord(row, viewer), timeline: await factorTimeline(ctx.admin.ds, ctx.admin.gateway.blocks, row, viewer) };
  }

  @Authorized(StaffRole.ADMIN)
  @Mutation(() => TotpFactorRecord, { description: "Revokes an end user's authenticator (a lost phone): it stops verifying at once. Audited." })
  async revokeTotpFactor(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: AdminContext): Promise<TotpFactorRecord> {
    await revokeFactorAudited({ store: ctx.admin.gateway.totpStore, audit: ctx.admin.audit }, staffOf(ctx), id, reason, ctx.ip);
    return toRecord((await loadFactor(ctx.admin.ds, id))!, viewerOf(staffOf(ctx)));
  }
}
