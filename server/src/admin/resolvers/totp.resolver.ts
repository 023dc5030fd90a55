import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { ipFor } from "../auth/privacy";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { factorTimeline, listFactors, loadFactor } from "../queries/totp-factors";
import { revokeFactorAudited } from "../totp-revocation";
import { PageArgs } from "../types/page-args";
import { TotpFactorDetail, TotpFactorFilter, TotpFactorPage, TotpFactorRecord } from "../types/totp.types";

const toRecord = (r: Record<string, any>): TotpFactorRecord => ({
  id: r.id, appId: r.app_id, appName: r.app_name, subject: r.subject, label: r.label, status: r.status,
  createdAt: new Date(r.created_at), verifiedAt: r.verified_at && new Date(r.verified_at), lastUsedAt: r.last_used_at && new Date(r.last_used_at),
  revokedAt: r.revoked_at && new Date(r.revoked_at), attemptsDay: r.attempts_day ?? 0, failuresDay: r.failures_day ?? 0,
  lastAttemptAt: r.last_attempt_at && new Date(r.last_attempt_at), lastAttemptOutcome: r.last_attempt_outcome ?? null,
});

/** End users' authenticator factors: any staff role reads them (client IPs masked for SUPPORT); ADMIN revokes, with a reason. */
@Authorized()
@Resolver()
export class TotpAdminResolver {
  @Query(() => TotpFactorPage, { description: "Factors by app and subject (or its start), newest first" })
  async totpFactors(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => TotpFactorFilter, { nullable: true }) filter: TotpFactorFilter | null,
    @Ctx() ctx: AdminContext,
  ): Promise<TotpFactorPage> {
    const { rows, total } = await listFactors(ctx.admin.ds, filter ?? {}, page);
    return { data: rows.map(toRecord), total };
  }

  @Query(() => TotpFactorDetail, { nullable: true })
  async totpFactor(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<TotpFactorDetail | null> {
    const row = await loadFactor(ctx.admin.ds, id);
    if (!row) return null;
    const staff = staffOf(ctx);
    return { ...toRecord(row), timeline: await factorTimeline(ctx.admin.ds, ctx.admin.gateway.blocks, row, (ip) => ipFor(staff, ip)) };
  }

  @Authorized(StaffRole.ADMIN)
  @Mutation(() => TotpFactorRecord, { description: "Revokes an end user's authenticator (a lost phone): it stops verifying at once. Audited." })
  async revokeTotpFactor(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: AdminContext): Promise<TotpFactorRecord> {
    await revokeFactorAudited({ store: ctx.admin.gateway.totpStore, audit: ctx.admin.audit }, staffOf(ctx), id, reason, ctx.ip);
    return toRecord((await loadFactor(ctx.admin.ds, id))!);
  }
}
