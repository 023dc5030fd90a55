import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { GqlContext } from "../graphql/context";
import { Channel } from "./enums";
import { toDeliveryView, type DeliveryView, type VerificationView } from "./verification-view";
import { VerificationStep } from "../workflow/step-types";
import type { StepView } from "../workflow/step-view";
import { Delivery, RequestOtpInput, Verification, VerifyOtpInput, VerifyOtpResult } from "./verification.types";
import "./enum-types"; // the shared enums' GraphQL names

/** The client API: thin over the services, which never trust a resolver's branching. */
@Resolver(() => Verification)
export class VerificationResolver {
  @Query(() => Verification, { nullable: true })
  verification(@Arg("id", () => ID) id: string, @Ctx() ctx: GqlContext): Promise<VerificationView> {
    return ctx.services.verifications.get(ctx.app, id);
  }

  @Mutation(() => Verification)
  requestOtp(@Arg("input", () => RequestOtpInput) input: RequestOtpInput, @Ctx() ctx: GqlContext): Promise<VerificationView> {
    return ctx.services.verifications.request(ctx.app, input);
  }

  @Mutation(() => VerifyOtpResult)
  async verifyOtp(@Arg("input", () => VerifyOtpInput) input: VerifyOtpInput, @Ctx() ctx: GqlContext): Promise<VerifyOtpResult> {
    const result = await ctx.services.verify.verify(ctx.app, input);
    ctx.services.metrics.verifyOutcomes.inc({ outcome: result.status });
    return result;
  }

  @Mutation(() => Verification, { description: "May switch channel, e.g. SMS -> VOICE or WHATSAPP -> SMS" })
  resendOtp(
    @Arg("verificationId", () => ID) verificationId: string,
    @Arg("channel", () => Channel, { nullable: true }) channel: Channel | null,
    @Ctx() ctx: GqlContext,
  ): Promise<VerificationView> {
    return ctx.services.verifications.resend(ctx.app, verificationId, channel);
  }

  @Mutation(() => Verification)
  cancelOtp(@Arg("verificationId", () => ID) verificationId: string, @Ctx() ctx: GqlContext): Promise<VerificationView> {
    return ctx.services.verifications.cancel(ctx.app, verificationId);
  }

  @FieldResolver(() => [VerificationStep])
  async steps(@Root() v: VerificationView, @Ctx() ctx: GqlContext): Promise<StepView[]> {
    return ctx.services.verifications.steps(v);
  }

  @FieldResolver(() => [Delivery])
  async deliveries(@Root() v: VerificationView, @Ctx() ctx: GqlContext): Promise<DeliveryView[]> {
    if (v.deliveries) return v.deliveries;
    return (await ctx.services.verifications.deliveries(v.id)).map(toDeliveryView);
  }
}
