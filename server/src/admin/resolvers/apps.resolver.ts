import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { badInput } from "../../errors";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { appSnapshot, checkApp, listApps, loadApp, updateApp, type AppRecord as AppRow } from "../queries/apps";
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

  @Mutation(() => IssuedKey, { description: "Issues a new key; the app's other keys keep working (a rotation: add a key, deploy it, then revokeAppKeys). Shown once" })
  async addAppKey(@Arg("appId", () => ID) appId: string, @Ctx() ctx: AdminContext): Promise<IssuedKey> {
    const before = await loadApp(ctx.admin.ds, appId);
    const key = await ctx.admin.gateway.apps.addKey(appId);
    return this.keysChanged(ctx, "app.add_key", before, { apiKey: key.key, revokedKeyId: null });
  }

  @Mutation(() => IssuedKey, { description: "Issues a new key and revokes the given one in the same statement; the new key is shown once" })
  async rotateAppKey(@Arg("appId", () => ID) appId: string, @Arg("keyId", () => ID) keyId: string, @Ctx() ctx: AdminContext): Promise<IssuedKey> {
    const before = await loadApp(ctx.admin.ds, appId);
    const key = await ctx.admin.gateway.apps.replaceKey(appId, keyId);
    if (!key) throw badInput("keyId", "Not a live key of this app");
    return this.keysChanged(ctx, "app.rotate_key", before, { apiKey: key.key, revokedKeyId: keyId });
  }

  @Mutation(() => AppRecord, { description: "Revokes one key; requests with it are refused from the next one on" })
  async revokeAppKey(@Arg("appId", () => ID) appId: string, @Arg("keyId", () => ID) keyId: string, @Ctx() ctx: AdminContext): Promise<AppRecord> {
    const before = await loadApp(ctx.admin.ds, appId);
    if (!(await ctx.admin.gateway.apps.revokeKeys(appId, { keyId })).length) throw badInput("keyId", "Not a live key of this app");
    return (await this.keysChanged(ctx, "app.revoke_key", before, null)).app;
  }

  @Mutation(() => AppRecord, { description: "Revokes every key of the app except the newest (the end of a rotation), or with all: true every key" })
  async revokeAppKeys(
    @Arg("appId", () => ID) appId: string, @Arg("all", () => Boolean, { defaultValue: false }) all: boolean, @Ctx() ctx: AdminContext,
  ): Promise<AppRecord> {
    const before = await loadApp(ctx.admin.ds, appId);
    await ctx.admin.gateway.apps.revokeKeys(appId, all ? { all: true } : { exceptNewest: true });
    return (await this.keysChanged(ctx, all ? "app.revoke_all_keys" : "app.revoke_older_keys", before, null)).app;
  }

  /** Audits a change of an app's keys (their public ids and states, before and after) and answers with the app as it is now. */
  private async keysChanged(ctx: AdminContext, action: string, before: AppRow, issued: { apiKey: string; revokedKeyId: string | null } | null): Promise<IssuedKey> {
    const after = await loadApp(ctx.admin.ds, before.id);
    await ctx.admin.audit.record({
      actor: staffOf(ctx), action, targetType: "app", targetId: before.id, ip: ctx.ip, before: { keys: keyIds(before) }, after: { keys: keyIds(after) },
    });
    return { app: after as AppRecord, apiKey: issued?.apiKey ?? "", revokedKeyId: issued?.revokedKeyId ?? null };
  }
}

/** Test destinations are allowed where the gateway honours them (not in production unless ALLOW_TEST_DESTINATIONS). */
/** This environment's rules for saving an app: test destinations, and NIST's bounds on codes in production. */
const policyOf = (ctx: AdminContext) => ({ allowTestDestinations: ctx.admin.config.allowTestDestinations, production: ctx.admin.config.production });
