import { Arg, Args, Authorized, Ctx, Query, Resolver, Root, Subscription } from "type-graphql";
import { textFor } from "../auth/privacy";
import { unauthenticated } from "../../errors";
import type { DeliveryEventMessage } from "../../events/event-bus";
import { eventQueue } from "../../graphql/event-queue";
import { staffOf, type AdminContext } from "../context";
import { listDeliveryAttempts } from "../queries/delivery-log";
import { toAttemptRecord } from "../records";
import { DeliveryAttemptPage, DeliveryLogEvent, DeliveryLogFilter } from "../types/delivery.types";
import { PageArgs } from "../types/page-args";

/** The delivery log: every hand-off to a vendor, and a live feed of status changes. Any staff role. */
@Resolver()
export class DeliveryLogResolver {
  @Authorized()
  @Query(() => DeliveryAttemptPage)
  async deliveryAttempts(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => DeliveryLogFilter, { nullable: true }) filter: DeliveryLogFilter | null,
    @Ctx() ctx: AdminContext,
  ): Promise<DeliveryAttemptPage> {
    const { rows, total } = await listDeliveryAttempts(ctx.admin.ds, filter ?? {}, page);
    return { data: rows.map((r: Record<string, any>) => toAttemptRecord(r, staffOf(ctx))), total };
  }

  @Authorized()
  @Subscription(() => DeliveryLogEvent, {
    description: "Every delivery status change as it happens (graphql-ws on /admin/graphql, session cookie)",
    subscribe: ({ args, context }) => {
      const ctx = context as AdminContext;
      // Subscriptions don't pass through @Authorized's resolver middleware before subscribing: check here too.
      if (!ctx.staff) throw unauthenticated("Sign in to the dashboard first");
      const queue = eventQueue<DeliveryEventMessage>(() => unsubscribe());
      const unsubscribe = ctx.admin.gateway.deliveryEvents.subscribeAll((e) => {
        if (!args.provider || e.delivery.provider === args.provider) queue.push(e);
      });
      return queue;
    },
  })
  deliveryLog(
    @Arg("provider", () => String, { nullable: true }) _provider: string | null,
    @Root() e: DeliveryEventMessage,
    @Ctx() ctx: AdminContext,
  ): DeliveryLogEvent {
    return {
      verificationId: e.verificationId, deliveryId: e.delivery.id, provider: e.delivery.provider,
      channel: e.delivery.channel as DeliveryLogEvent["channel"], status: e.delivery.status as DeliveryLogEvent["status"],
      errorCode: e.delivery.errorCode, errorMessage: textFor(staffOf(ctx), e.delivery.errorMessage), at: new Date(e.delivery.updatedAt),
    };
  }
}
