import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { notFound } from "../../errors";
import type { Channel } from "../../verification/enums";
import type { StepStatus } from "../../workflow/step-types";
import { isUuid } from "../../verification/input-rules";
import { checkReason, viewerOf } from "../auth/privacy";
import { staffOf, type AdminContext } from "../context";
import { auditDestinationSearch, destinationQuery } from "../destination-lookup";
import { buildTimeline, loadSteps } from "../queries/timeline";
import { loadVerification, searchVerifications } from "../queries/verification-search";
import { ROW, toVerificationRecord } from "../records";
import { PageArgs } from "../types/page-args";
import { RevealedDestination, TimelineEntry, VerificationFilter, VerificationPage, VerificationRecord, WorkflowStepRecord } from "../types/verification.types";

type WithRow = VerificationRecord & { [ROW]?: Record<string, any> };

/** Finding a customer's verifications and reading one's timeline. Any staff role. */
@Authorized()
@Resolver(() => VerificationRecord)
export class VerificationAdminResolver {
  @Query(() => VerificationPage, { description: "Search by destination in any format, filter, page and sort (react-admin conventions)" })
  async verifications(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => VerificationFilter, { nullable: true }) filter: VerificationFilter | null,
    @Ctx() ctx: AdminContext,
  ): Promise<VerificationPage> {
    const destination = await destinationQuery(ctx, filter?.q);
    const { rows, total } = await searchVerifications(ctx.admin.ds, { ...filter, destination }, page);
    await auditDestinationSearch(ctx, "verification", destination, total);
    return { data: rows.map((r: Record<string, any>) => toVerificationRecord(r, staffOf(ctx))), total };
  }

  @Query(() => VerificationRecord, { nullable: true })
  async verification(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<VerificationRecord | null> {
    if (!isUuid(id)) return null;
    const row = await loadVerification(ctx.admin.ds, id);
    return row ? toVerificationRecord(row, staffOf(ctx)) : null;
  }

  @FieldResolver(() => [TimelineEntry], { description: "Everything that happened, in time order, merged on the server" })
  async timeline(@Root() v: WithRow, @Ctx() ctx: AdminContext): Promise<TimelineEntry[]> {
    const row = v[ROW] ?? (await loadVerification(ctx.admin.ds, v.id));
    return buildTimeline(ctx.admin.ds, ctx.admin.gateway.blocks, row, viewerOf(staffOf(ctx)));
  }

  @FieldResolver(() => [WorkflowStepRecord], { description: "The workflow's steps (requestOtp `next`) and why each started; empty for a verification of one channel" })
  async steps(@Root() v: WithRow, @Ctx() ctx: AdminContext): Promise<WorkflowStepRecord[]> {
    const viewer = viewerOf(staffOf(ctx));
    return (await loadSteps(ctx.admin.ds, v.id)).map((s) => ({ ...s, channel: s.channel as Channel, status: s.status as StepStatus, destination: viewer.destination(s.destination) ?? "" }));
  }

  @Mutation(() => RevealedDestination, { description: "The whole destination, for a stated reason. Audited." })
  async revealDestination(
    @Arg("verificationId", () => ID) verificationId: string,
    @Arg("reason", () => String) rawReason: string,
    @Ctx() ctx: AdminContext,
  ): Promise<RevealedDestination> {
    const reason = checkReason(rawReason);
    const row = isUuid(verificationId) ? await loadVerification(ctx.admin.ds, verificationId) : null;
    if (!row) throw notFound();
    // Logged before it is shown: a reveal that can't be audited doesn't happen.
    await ctx.admin.audit.record({
      actor: staffOf(ctx), action: "verification.reveal_destination", targetType: "verification", targetId: row.id, reason, ip: ctx.ip,
    });
    return { verificationId: row.id, destination: row.destination };
  }
}
