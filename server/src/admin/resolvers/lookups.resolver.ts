import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { AdminContext } from "../context";
import { AppOption } from "../types/app.types";

/** Small lists the dashboard's filters offer. Any staff role (SUPPORT filters by app without managing apps). */
@Authorized()
@Resolver()
export class LookupsResolver {
  @Query(() => [AppOption])
  appOptions(@Ctx() ctx: AdminContext): Promise<AppOption[]> {
    return ctx.admin.ds.query(`SELECT id, name FROM apps ORDER BY lower(name), id`);
  }

  @Query(() => Boolean, { description: "Whether the outbox (development messages, with codes) may be shown" })
  outboxEnabled(@Ctx() ctx: AdminContext): boolean {
    return ctx.admin.outboxVisible;
  }
}
