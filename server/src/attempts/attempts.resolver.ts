import { Arg, Ctx, Int, Query, Resolver } from "type-graphql";
import type { GqlContext } from "../graphql/context";
import type { AttemptPageView } from "./attempts-query";
import { AttemptFilter, AttemptPage, SummaryKey, SummaryRow } from "./attempts.types";
import type { SummaryRowView } from "./summary-query";

/** What a client app's codes cost and who converted: its own attempts only (API key auth, like requestOtp). */
@Resolver()
export class AttemptsResolver {
  @Query(() => AttemptPage, { description: "Attempts (deliveries), newest first; first ≤ 500" })
  verificationAttempts(
    @Arg("filter", () => AttemptFilter, { nullable: true }) filter: AttemptFilter | null,
    @Arg("first", () => Int, { nullable: true, defaultValue: 50 }) first: number | null,
    @Arg("after", () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GqlContext,
  ): Promise<AttemptPageView> {
    return ctx.services.attempts.attempts(ctx.app, filter, first, after);
  }

  @Query(() => [SummaryRow], { description: "Conversion and spend over attempts created in [from, to), grouped by the keys asked for" })
  verificationSummary(
    @Arg("from", () => Date) from: Date,
    @Arg("to", () => Date) to: Date,
    @Arg("groupBy", () => [SummaryKey], { nullable: true }) groupBy: SummaryKey[] | null,
    @Ctx() ctx: GqlContext,
  ): Promise<SummaryRowView[]> {
    return ctx.services.attempts.summary(ctx.app, from, to, groupBy);
  }
}
