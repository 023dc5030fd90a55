import { Arg, Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { forbidden } from "../../errors";
import { staffOf, type AdminContext } from "../context";
import { listOutbox } from "../queries/outbox";
import { toOutboxRecord } from "../records";
import { OutboxFilter, OutboxPage } from "../types/outbox.types";
import { PageArgs } from "../types/page-args";

/**
 * The outbox: messages the development provider kept. They contain codes — the one documented
 * exception to "codes never reach the dashboard" — so the list is refused in production unless
 * OUTBOX_IN_PRODUCTION is set.
 */
@Authorized()
@Resolver()
export class OutboxResolver {
  @Query(() => OutboxPage)
  async outboxMessages(@Args(() => PageArgs) page: PageArgs, @Arg("filter", () => OutboxFilter, { nullable: true }) filter: OutboxFilter | null, @Ctx() ctx: AdminContext): Promise<OutboxPage> {
    if (!ctx.admin.outboxVisible) throw forbidden("The outbox is off in production (OUTBOX_IN_PRODUCTION)");
    const { rows, total } = await listOutbox(ctx.admin.ds, filter ?? {}, page);
    return { data: rows.map((r: Record<string, any>) => toOutboxRecord(r, staffOf(ctx))), total };
  }
}
