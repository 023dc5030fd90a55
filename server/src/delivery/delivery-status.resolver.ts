import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import type { DeliveryEventMessage } from "../events/event-bus";
import type { GqlContext } from "../graphql/context";
import { eventQueue } from "../graphql/event-queue";
import { toDeliveryView } from "../verification/verification-view";
import { DeliveryEvent } from "../verification/verification.types";

/**
 * deliveryStatus: first the current state of each delivery, then every change. Only the app
 * that owns the verification may subscribe (another app's is NOT_FOUND, like everywhere).
 */
@Resolver()
export class DeliveryStatusResolver {
  @Subscription(() => DeliveryEvent, {
    subscribe: async ({ args, context }) => {
      const ctx = context as GqlContext;
      const verification = await ctx.services.verifications.load(ctx.app, args.verificationId);
      const lastSeen = new Map<string, string>();
      const fresh = (e: DeliveryEventMessage) => {
        // Drop what the subscriber already has: the snapshot and live events may overlap.
        const stamp = `${e.delivery.status}|${e.delivery.updatedAt}`;
        const prev = lastSeen.get(e.delivery.id);
        if (prev === stamp || (prev && prev.split("|")[1] > e.delivery.updatedAt)) return false;
        lastSeen.set(e.delivery.id, stamp);
        return true;
      };
      const queue = eventQueue<DeliveryEventMessage>(() => unsubscribe());
      const live: DeliveryEventMessage[] = [];
      let snapshotDone = false;
      // Subscribe before reading the snapshot, so that nothing falls between the two.
      const unsubscribe = ctx.services.deliveryEvents.subscribe(verification.id, (e) => {
        if (e.appId !== ctx.app.id) return;
        if (!snapshotDone) live.push(e);
        else if (fresh(e)) queue.push(e);
      });
      for (const row of await ctx.services.verifications.deliveries(verification.id)) {
        const d = toDeliveryView(row);
        const e: DeliveryEventMessage = {
          verificationId: verification.id, appId: ctx.app.id,
          delivery: { ...d, createdAt: d.createdAt.toISOString(), updatedAt: d.updatedAt.toISOString() },
        };
        if (fresh(e)) queue.push(e);
      }
      snapshotDone = true;
      for (const e of live) if (fresh(e)) queue.push(e);
      return queue;
    },
  })
  deliveryStatus(@Arg("verificationId", () => ID) _verificationId: string, @Root() e: DeliveryEventMessage): DeliveryEvent {
    return {
      verificationId: e.verificationId,
      delivery: { ...e.delivery, createdAt: new Date(e.delivery.createdAt), updatedAt: new Date(e.delivery.updatedAt) } as DeliveryEvent["delivery"],
    };
  }
}
