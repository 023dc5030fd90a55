import { Arg, Authorized, Ctx, ID, Int, Query, Resolver } from "type-graphql";
import type { AdminContext } from "../context";
import { dashboardStats } from "../queries/dashboard-stats";
import { providerList } from "../queries/provider-list";
import { DashboardStats } from "../types/dashboard.types";
import { ProviderStatsPage, ProviderStatsRecord } from "../types/provider.types";

/** Provider health and the dashboard home's charts, aggregated in SQL. Any staff role. */
@Authorized()
@Resolver()
export class StatsResolver {
  @Query(() => ProviderStatsPage, { description: "Per provider and channel: counts, failure rate, latency, breaker state, top errors" })
  async providers(@Ctx() ctx: AdminContext): Promise<ProviderStatsPage> {
    const data = await providerList(ctx.admin.ds, ctx.admin.gateway.registry);
    return { data, total: data.length };
  }

  @Query(() => ProviderStatsRecord, { nullable: true })
  async provider(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<ProviderStatsRecord | null> {
    return (await providerList(ctx.admin.ds, ctx.admin.gateway.registry)).find((p) => p.id === id) ?? null;
  }

  @Query(() => DashboardStats)
  dashboard(@Arg("days", () => Int, { defaultValue: 7 }) days: number, @Ctx() ctx: AdminContext): Promise<DashboardStats> {
    return dashboardStats(ctx.admin.ds, days);
  }
}
