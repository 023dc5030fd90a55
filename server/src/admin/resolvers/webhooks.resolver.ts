import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { badInput, notFound } from "../../errors";
import type { WebhookEndpoint } from "../../webhooks/endpoint-store";
import { StaffRole } from "../auth/roles";
import { staffOf, type AdminContext } from "../context";
import { loadWebhookMessage, recentWebhookMessages } from "../queries/webhook-messages";
import { IssuedWebhookSecret, WebhookEndpointRecord, WebhookMessageRecord } from "../types/webhook.types";

/** What the audit log keeps of an endpoint: never its secret. */
const snapshot = (e: WebhookEndpoint) => ({ id: e.id, url: e.url, events: e.events, status: e.status, pausedAt: e.pausedAt });

/**
 * An app's webhook endpoints, their recent messages and attempts; add (the secret shown once),
 * remove, resume, resend. ADMIN only, every change audited — the same store as the CLI's.
 */
@Authorized(StaffRole.ADMIN)
@Resolver()
export class WebhooksResolver {
  @Query(() => [WebhookEndpointRecord])
  webhookEndpoints(@Arg("appId", () => ID) appId: string, @Ctx() ctx: AdminContext): Promise<WebhookEndpointRecord[]> {
    return ctx.admin.gateway.webhookEndpoints.list(appId);
  }

  @Query(() => [WebhookMessageRecord], { description: "An endpoint's newest messages with every attempt, newest first" })
  async webhookMessages(
    @Arg("appId", () => ID) appId: string,
    @Arg("endpointId", () => ID) endpointId: string,
    @Arg("limit", () => Int, { defaultValue: 25 }) limit: number,
    @Ctx() ctx: AdminContext,
  ): Promise<WebhookMessageRecord[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput("limit", "limit is 1 to 100");
    const endpoint = await ctx.admin.gateway.webhookEndpoints.get(appId, endpointId);
    return recentWebhookMessages(ctx.admin.ds, endpoint.id, limit);
  }

  @Mutation(() => IssuedWebhookSecret, { description: "Adds an endpoint; its signing secret is in the answer, once. Audited." })
  async addWebhookEndpoint(
    @Arg("appId", () => ID) appId: string,
    @Arg("url", () => String) url: string,
    @Arg("events", () => [String], { nullable: true, description: "Event types; null or absent: all" }) events: string[] | null,
    @Ctx() ctx: AdminContext,
  ): Promise<IssuedWebhookSecret> {
    const { endpoint, secret } = await ctx.admin.gateway.webhookEndpoints.add(appId, url, events ?? null);
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "webhook.add", targetType: "app", targetId: appId, ip: ctx.ip, after: snapshot(endpoint) });
    return { endpoint, signingSecret: secret };
  }

  @Mutation(() => WebhookEndpointRecord, { description: "Removes an endpoint with its undelivered messages. Audited." })
  async removeWebhookEndpoint(@Arg("appId", () => ID) appId: string, @Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<WebhookEndpointRecord> {
    const removed = await ctx.admin.gateway.webhookEndpoints.remove(appId, id);
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "webhook.remove", targetType: "app", targetId: appId, ip: ctx.ip, before: snapshot(removed) });
    return removed;
  }

  @Mutation(() => WebhookEndpointRecord, { description: "Resumes a paused endpoint: its waiting events are sent again. Audited." })
  async resumeWebhookEndpoint(@Arg("appId", () => ID) appId: string, @Arg("id", () => ID) id: string, @Ctx() ctx: AdminContext): Promise<WebhookEndpointRecord> {
    const before = await ctx.admin.gateway.webhookEndpoints.get(appId, id);
    const after = await ctx.admin.gateway.webhookEndpoints.resume(appId, id, staffOf(ctx).email);
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "webhook.resume", targetType: "app", targetId: appId, ip: ctx.ip, before: snapshot(before), after: snapshot(after) });
    return after;
  }

  @Mutation(() => WebhookMessageRecord, { description: "Sends a message again now (the same webhook-id, a fresh retry window). Audited." })
  async resendWebhookMessage(@Arg("appId", () => ID) appId: string, @Arg("messageId", () => ID) messageId: string, @Ctx() ctx: AdminContext): Promise<WebhookMessageRecord> {
    const resent = await ctx.admin.gateway.webhookMessages.resend(appId, messageId);
    if (!resent) throw notFound("Webhook message not found");
    await ctx.admin.audit.record({ actor: staffOf(ctx), action: "webhook.resend", targetType: "app", targetId: appId, ip: ctx.ip, after: { messageId, endpointId: resent.endpoint_id } });
    return loadWebhookMessage(ctx.admin.ds, messageId);
  }
}
