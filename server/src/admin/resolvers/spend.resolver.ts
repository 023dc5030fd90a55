import { Arg, Authorized, Ctx, ID, Query, Resolver } from "type-graphql";
import type { AdminContext } from "../context";
import { StaffRole } from "../auth/roles";
import { SpendKey } from "../spend/spend-keys";
import { spendAndConversion } from "../spend/spend-conversion";
import { SpendReport } from "../types/spend.types";

/**
 * The "Spend & conversion" page. ADMIN only: what vendors charge is the operator's commercial
 * data (negotiated rates, the business's volumes), and support's work — a customer whose code
 * never came — doesn't need it; SUPPORT keeps conversion by country on the home page.
 */
@Authorized(StaffRole.ADMIN)
@Resolver()
export class SpendResolver {
  @Query(() => SpendReport, { description: "Spend, verifications, approved, conversion and cost per verified user over [from, to), for one app or all, grouped by up to 3 keys" })
  spendAndConversion(
    @Arg("from", () => Date) from: Date,
    @Arg("to", () => Date) to: Date,
    @Arg("appId", () => ID, { nullable: true }) appId: string | null,
    @Arg("groupBy", () => [SpendKey], { nullable: true }) groupBy: SpendKey[] | null,
    @Ctx() ctx: AdminContext,
  ): Promise<SpendReport> {
    return spendAndConversion(ctx.admin.ds, { from, to, appId, groupBy });
  }
}
