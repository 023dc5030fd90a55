import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import { staffOf, type AdminContext } from "../context";
import { outboxAccess } from "./outbox.resolver";
import { AppOption } from "../types/app.types";
import { Channel } from "../../verification/enums";

/** Small lists the dashboard's filters offer. Any staff role (SUPPORT filters by app without managing apps). */
@Authorized()
@Resolver()
export class LookupsResolver {
  @Query(() => [AppOption])
  appOptions(@Ctx() ctx: AdminContext): Promise<AppOption[]> {
    return ctx.admin.ds.query(`SELECT id, name FROM apps ORDER BY lower(name), id`);
  }

  @Query(() => [Channel], { description: "Every channel the gateway knows, for the dashboard's filters and app settings (the enum, not a list kept in the browser)" })
  channels(): Channel[] {
    return Object.values(Channel);
  }

  @Query(() => Boolean, { description: "Whether the outbox (development messages, with codes) may be shown to the signed-in staff member" })
  outboxEnabled(@Ctx() ctx: AdminContext): boolean {
    return outboxAccess(ctx.admin, staffOf(ctx)) !== "off";
  }
}
