import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { generateApiKey } from "../../apps/api-key";
import { badInput } from "../../errors";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { appSnapshot, checkApp, listApps, loadApp, revokeKey, updateApp, type AppRecord as AppRow } from "../queries/apps";
import { AppFilter, AppInput, AppPage, AppRecord, IssuedKey } from "../types/app.types";
import { PageArgs } from "../types/page-args";

const keyIds = (a: AppRow) => a.keys.map((k) => ({ id: k.id, revokedAt: k.revokedAt }));

/** Client apps and their API keys. ADMIN only; a new key is returned once and never stored in clear. */
@Authorized(StaffRole.ADMIN)
@Resolver()
export class AppsResolver {
  @Query(() => AppPage)
  async apps(@Args(() => PageArgs) page: PageArgs, @Arg("filter", () => AppFilter, { nullable: true }) filter: AppFilter | null, @Ctx() ctx: AdminContext): Promise<AppPage> {
    return listApps(ctx.admin.ds, filter ?? {}, page) as Promise<AppPage>;
  }

  @Query(() => AppRecord, { nullable: true })
  async app(@Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<AppRecord | null> {
    return (await loadApp(ctx.admin.ds, id).catch(() => null)) as AppRecord | null;
  }

  @Mutation(() => IssuedKey, { description: "Creates an app; its first API key is in the answer, once" })
  async createApp(@Arg("input", () => AppInput) input: AppInput, @Ctx() ctx: AdminContext): Promise<IssuedKey> {
    const checked = checkApp(input, null, policyOf(ctx));
    const { app, apiKey } = await ctx.admin.gateway.apps.create(checked);
    const record = await loadApp(ctx.admin.ds, app.id);
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "app.create", targetType: "app", targetId: app.id, ip: ctx.ip, after: { ...appSnapshot(record), keys: keyIds(record) } });
    return { app: record as AppRecord, apiKey, revokedKeyId: null };
  }

  @Mutation(() => AppRecord)
  async updateApp(@Arg("id", () => ID) id: string, @Arg("input", () => AppInput) input: AppInput, @Ctx() ctx: AdminContext): Promise<AppRecord> {
    const before = await loadApp(ctx.admin.ds, id);
    const after = await updateApp(ctx.admin.ds, id, input, policyOf(ctx));
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "app.update", targetType: "app", targetId: id, ip: ctx.ip, before: appSnapshot(before), after: appSnapshot(after) });
    return after as AppRecord;
  }

  @Mutation(() => IssuedKey, { description: "Issues a new key and revokes the given one in the same statement; the new key is shown once" })
  async rotateAppKey(@Arg("appId", () => ID) appId: string, @Arg("keyId", () => ID) keyId: string, @Ctx() ctx: AdminContext): Promise<IssuedKey> {
    const before = await loadApp(ctx.admin.ds, appId);
    const key = generateApiKey();
    const rows = await ctx.admin.ds.query(
      `WITH r AS (UPDATE api_keys SET revoked_at = now() WHERE id = $3 AND app_id = $2 AND revoked_at IS NULL RETURNING id)
       INSERT INTO api_keys (id, app_id, secret_hash) SELECT $1, $2, $4 FROM r RETURNING id`,
      [key.id, appId, keyId, key.secretHash],
    );
    if (!rows.length) throw badInput("keyId", "Not a live key of this app");
    const after = await loadApp(ctx.admin.ds, appId);
    await ctx.admin.audit.record({
      actor: staffOf(ctx), action: "app.rotate_key", targetType: "app", targetId: appId, ip: ctx.ip, before: { keys: keyIds(before) }, after: { keys: keyIds(after) },
    });
    return { app: after as AppRecord, apiKey: key.key, revokedKeyId: keyId };
  }

  @Mutation(() => AppRecord)
  async revokeAppKey(@Arg("appId", () => ID) appId: string, @Arg("keyId", () => ID) keyId: string, @Ctx() ctx: AdminContext): Promise<AppRecord> {
    const before = await loadApp(ctx.admin.ds, appId);
    if (!(await revokeKey(ctx.admin.ds, appId, keyId))) throw badInput("keyId", "Not a live key of this app");
    const after = await loadApp(ctx.admin.ds, appId);
    await ctx.admin.audit.record({
      actor: staffOf(ctx), action: "app.revoke_key", targetType: "app", targetId: appId, ip: ctx.ip, before: { keys: keyIds(before) }, after: { keys: keyIds(after) },
    });
    return after as AppRecord;
  }
}

/** Test destinations are allowed where the gateway honours them (not in production unless ALLOW_TEST_DESTINATIONS). */
const policyOf = (ctx: AdminContext) => ({ allowTestDestinations: ctx.admin.config.allowTestDestinations });
