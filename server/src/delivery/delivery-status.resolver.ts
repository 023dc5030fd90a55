import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import type { DeliveryEventMessage } from "../events/event-bus";
import type { GqlContext } from "../graphql/context";
import { DeliveryEvent } from "../verification/verification.types";
import { deliveryStatusStream } from "./delivery-status-stream";
import { fromStepMessage } from "../workflow/step-view";

/**
 * deliveryStatus: first the current state of each delivery, then every change. Only the app
 * that owns the verification may subscribe (another app's is NOT_FOUND, like everywhere).
 */
@Resolver()
export class DeliveryStatusResolver {
  @Subscription(() => DeliveryEvent, {
    subscribe: async ({ args, context }) => {
      const ctx = context as GqlContext;
      // Only the id and the services outlive this call: the closure below lives as long as the
      // subscription, and capturing the loaded row kept ~1 KB (its dates and strings) per subscriber.
      const { id } = await ctx.services.verifications.load(ctx.app, args.verificationId);
      const { verifications, deliveryEvents } = ctx.services;
      return deliveryStatusStream(id, ctx.app.id, deliveryEvents, () => verifications.deliveries(id));
    },
  })
  deliveryStatus(@Arg("verificationId", () => ID) _verificationId: string, @Root() e: DeliveryEventMessage): DeliveryEvent {
    return {
      verificationId: e.verificationId,
      verificationStatus: (e.verificationStatus ?? null) as DeliveryEvent["verificationStatus"],
      delivery: { ...e.delivery, createdAt: new Date(e.delivery.createdAt), updatedAt: new Date(e.delivery.updatedAt) } as DeliveryEvent["delivery"],
      steps: e.steps?.map(fromStepMessage) ?? null,
    };
  }
}
