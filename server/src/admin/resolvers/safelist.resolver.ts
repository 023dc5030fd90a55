import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { entrySize, type SafelistEntry } from "../../protection/safelist";
import { SafelistService } from "../../protection/safelist-service";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { SafelistEntryRecord } from "../types/safelist.types";

const record = (e: SafelistEntry): SafelistEntryRecord => ({
  pattern: e.pattern, numbers: entrySize(e.pattern), note: e.note ?? null, addedBy: e.addedBy ?? null, addedAt: e.addedAt ? new Date(e.addedAt) : null,
});

/** An app's safe list (protection/safelist.ts). ADMIN only; every change is audited. */
@Authorized(StaffRole.ADMIN)
@Resolver()
export class SafelistResolver {
  @Query(() => [SafelistEntryRecord])
  async safelist(@Arg("appId", () => ID) appId: string, @Ctx() ctx: AdminContext): Promise<SafelistEntryRecord[]> {
    return (await new SafelistService(ctx.admin.ds).list(appId)).map(record);
  }

  @Mutation(() => SafelistEntryRecord, { description: "Adds a number or range the pumping guard never refuses. Audited." })
  async addToSafelist(
    @Arg("appId", () => ID) appId: string,
    @Arg("pattern", () => String) pattern: string,
    @Arg("note", () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: AdminContext,
  ): Promise<SafelistEntryRecord> {
    return record(await new SafelistService(ctx.admin.ds).add(appId, pattern, note, staffOf(ctx), ctx.ip));
  }

  @Mutation(() => SafelistEntryRecord, { description: "Removes an entry. Audited." })
  async removeFromSafelist(@Arg("appId", () => ID) appId: string, @Arg("pattern", () => String) pattern: string, @Ctx() ctx: AdminContext): Promise<SafelistEntryRecord> {
    return record(await new SafelistService(ctx.admin.ds).remove(appId, pattern, staffOf(ctx), ctx.ip));
  }
}
