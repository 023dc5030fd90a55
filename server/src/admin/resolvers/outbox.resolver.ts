import { Arg, Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { forbidden } from "../../errors";
import type { AdminServices } from "../admin-services";
import { StaffRole, type Staff } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { destinationQuery } from "../destination-lookup";
import { listOutbox } from "../queries/outbox";
import { toOutboxRecord } from "../records";
import { OutboxFilter, OutboxPage } from "../types/outbox.types";
import { PageArgs } from "../types/page-args";

/**
 * Who may read the outbox. It holds codes — the one documented exception to "codes never reach
 * the dashboard". In development any staff member reads it; in production it is off unless
 * OUTBOX_IN_PRODUCTION is set, and then it holds live codes: ADMIN only, every read audited.
 */
export function outboxAccess(admin: AdminServices, staff: Staff): "open" | "audited" | "off" {
  if (!admin.config.production) return "open";
  if (!admin.config.outboxInProduction || staff.role !== StaffRole.ADMIN) return "off";
  return "audited";
}

@Authorized()
@Resolver()
export class OutboxResolver {
  @Query(() => OutboxPage)
  async outboxMessages(@Args(() => PageArgs) page: PageArgs, @Arg("filter", () => OutboxFilter, { nullable: true }) filter: OutboxFilter | null, @Ctx() ctx: AdminContext): Promise<OutboxPage> {
    const staff = staffOf(ctx);
    const access = outboxAccess(ctx.admin, staff);
    if (access === "off") {
      throw forbidden(ctx.admin.config.outboxInProduction ? "In production the outbox holds live codes: ADMIN only" : "The outbox is off in production (OUTBOX_IN_PRODUCTION)");
    }
    const { rows, total } = await listOutbox(ctx.admin.ds, { ...filter, destination: await destinationQuery(ctx, filter?.q) }, page);
    // Recorded before the codes are shown: a read that can't be audited doesn't happen.
    if (access === "audited") {
      await ctx.admin.audit.record({
        actor: staff, action: "outbox.read", targetType: "outbox", ip: ctx.ip,
        after: { filter: filter ?? {}, page: page.page, perPage: page.perPage, messageIds: rows.map((r: Record<string, any>) => String(r.id)) },
      });
    }
    return { data: rows.map((r: Record<string, any>) => toOutboxRecord(r, staff)), total };
  }
}
