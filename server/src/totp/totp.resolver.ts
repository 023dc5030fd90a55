import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { GatewayError } from "../errors";
import type { GqlContext } from "../graphql/context";
import { VerifyOtpResult } from "../verification/verification.types";
import { EnrollTotpInput, TotpEnrollment, TotpFactor, VerifyTotpInput, type TotpFactorView } from "./totp.types";
import type { TotpEnrollmentView } from "./totp-service";

/** Authenticator-app factors of the calling app's users: thin over TotpService and TotpVerifier. */
@Resolver()
export class TotpResolver {
  @Query(() => [TotpFactor], { description: "The subject's factors (revoked ones included), oldest first" })
  totpFactors(@Arg("subject", () => String) subject: string, @Ctx() ctx: GqlContext): Promise<TotpFactorView[]> {
    return ctx.services.totp.list(ctx.app, subject);
  }

  @Mutation(() => TotpEnrollment)
  enrollTotp(@Arg("input", () => EnrollTotpInput) input: EnrollTotpInput, @Ctx() ctx: GqlContext): Promise<TotpEnrollmentView> {
    return ctx.services.totp.enroll(ctx.app, input);
  }

  @Mutation(() => VerifyOtpResult, { description: "The first right code turns UNVERIFIED into VERIFIED" })
  async verifyTotp(@Arg("input", () => VerifyTotpInput) input: VerifyTotpInput, @Ctx() ctx: GqlContext): Promise<VerifyOtpResult> {
    try {
      const result = await ctx.services.totpVerifier.verify(ctx.app, input, ctx.socketIp);
      ctx.services.metrics.totpOutcomes.inc({ outcome: result.status });
      return result;
    } catch (err) {
      if (err instanceof GatewayError && err.code === "RATE_LIMITED") ctx.services.metrics.totpOutcomes.inc({ outcome: "RATE_LIMITED" });
      throw err;
    }
  }

  @Mutation(() => TotpFactor)
  revokeTotpFactor(@Arg("factorId", () => ID) factorId: string, @Ctx() ctx: GqlContext): Promise<TotpFactorView> {
    return ctx.services.totp.revoke(ctx.app, factorId);
  }
}
