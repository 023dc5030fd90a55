import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { isUuid } from "../../verification/input-rules";
import { viewerOf } from "../auth/privacy";
import { liftBlock } from "../block-lifting";
import { staffOf, type AdminContext } from "../context";
import { auditDestinationSearch, destinationQuery } from "../destination-lookup";
import { listBlocks, loadBlock } from "../queries/blocks";
import { toBlockRecord } from "../records";
import { BlockFilter, BlockPage, BlockRecord } from "../types/block.types";
import { PageArgs } from "../types/page-args";

/**
 * Rate-limit blocks, active and past, keys as the viewer may see them (a number prefix is its
 * calling code for SUPPORT). Lifting one takes a reason and is audited; any staff role, except
 * the money and brute-force guards, which are ADMIN's (lift-rules.ts).
 */
@Authorized()
@Resolver()
export class BlocksResolver {
  @Query(() => BlockPage)
  async blocks(
    @Args(() => PageArgs) page: PageArgs,
    @Arg("filter", () => BlockFilter, { nullable: true }) filter: BlockFilter | null,
    @Ctx() ctx: AdminContext,
  ): Promise<BlockPage> {
    const destination = await destinationQuery(ctx, filter?.q);
    const { rows, total } = await listBlocks(ctx.admin.ds, ctx.admin.gateway.blocks, { ...filter, destination }, page);
    await auditDestinationSearch(ctx, "block", destination, total);
    const viewer = viewerOf(staffOf(ctx));
    return { data: rows.map((r: Record<string, any>) => toBlockRecord(r, viewer)), total };
  }

  @Query(() => BlockRecord, { nullable: true })
  async block(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<BlockRecord | null> {
    const row = isUuid(id) ? await loadBlock(ctx.admin.ds, id) : null;
    return row ? toBlockRecord(row, viewerOf(staffOf(ctx))) : null;
  }

  @Mutation(() => BlockRecord, { description: "Lets the key through again at once. Audited. The money and brute-force guards (liftNeedsAdmin) need ADMIN" })
  liftBlock(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: AdminContext): Promise<BlockRecord> {
    return liftBlock(ctx.admin, staffOf(ctx), id, reason, ctx.ip);
  }
}
