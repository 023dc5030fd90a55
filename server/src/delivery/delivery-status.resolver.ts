import { Arg, ID, Resolver, Root, Subscription } from "type-graphql";
import type { DeliveryEventMessage } from "../events/event-bus";
import type { GqlContext } from "../graphql/context";
import { DeliveryEvent } from "../verification/verification.types";
import { deliveryStatusStream } from "./delivery-status-stream";

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
      return deliveryStatusStream(verification.id, ctx.app.id, ctx.services.deliveryEvents, () => ctx.services.verifications.deliveries(verification.id));
    },
  })
  deliveryStatus(@Arg("verificationId", () => ID) _verificationId: string, @Root() e: DeliveryEventMessage): DeliveryEvent {
    return {
      verificationId: e.verificationId,
      delivery: { ...e.delivery, createdAt: new Date(e.delivery.createdAt), updatedAt: new Date(e.delivery.updatedAt) } as DeliveryEvent["delivery"],
    };
  }
}
