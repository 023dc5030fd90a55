import type { Command } from "commander";
import { loadConfig } from "../config/config";
import { deriveKeys } from "../crypto/secret-keys";
import type { WebhookEndpoint, WebhookEndpointStore } from "../webhooks/endpoint-store";
import { withDatabase } from "./with-database";
import { cliRefusals, uuidFlag } from "./usage-error";

const describe = (e: WebhookEndpoint) =>
  `${e.id}  ${e.status}  ${e.url}  events: ${e.events?.join(",") ?? "all"}${e.pausedAt ? `  paused ${e.pausedAt.toISOString()}: ${e.pauseReason}` : ""}`;

/** Runs `fn` with the endpoint store over the configured database; errors carry the contract's message. */
function withEndpoints<T>(fn: (store: WebhookEndpointStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  return withDatabase(async ({ ds, secret }) => {
    const { WebhookEndpointStore } = await import("../webhooks/endpoint-store.js");
    return cliRefusals(() => fn(new WebhookEndpointStore(ds, deriveKeys(secret).webhookSecret, config.webhooks)));
  });
}

/** `otp-gateway app webhook add|list|remove|resume`. */
export function registerWebhookCommands(app: Command): void {
  const webhook = app.command("webhook").description("manage an app's webhook endpoints (signed verification events)");
  webhook
    .command("add")
    .description("add an endpoint; prints its signing secret once")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .requiredOption("--url <url>", "where events are POSTed (https in production)")
    .option("--events <list>", "event types, comma-separated (default: all), e.g. verification.approved,delivery.updated")
    .option("--json", 'print {"id","secret"} as JSON')
    .action(async (o) => {
      await withEndpoints(async (store) => {
        const { endpoint, secret } = await store.add(o.id, o.url, o.events ?? null);
        if (o.json) process.stdout.write(`${JSON.stringify({ id: endpoint.id, secret })}\n`);
        else process.stdout.write(`Webhook id:     ${endpoint.id}\nSigning secret: ${secret}\n(the secret is shown once; store it now)\n`);
      });
    });
  webhook
    .command("list")
    .description("list an app's endpoints")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .option("--json", "print JSON")
    .action(async (o) => {
      await withEndpoints(async (store) => {
        const list = await store.list(o.id);
        if (o.json) process.stdout.write(`${JSON.stringify(list)}\n`);
        else process.stdout.write(list.length ? `${list.map(describe).join("\n")}\n` : "No webhook endpoints\n");
      });
    });
  webhook
    .command("remove")
    .description("remove an endpoint and its undelivered messages")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .requiredOption("--webhook <webhookId>", "the endpoint's id", uuidFlag("a webhook endpoint's id"))
    .action(async (o) => {
      await withEndpoints(async (store) => {
        const removed = await store.remove(o.id, o.webhook);
        process.stdout.write(`Removed webhook ${removed.id} (${removed.url})\n`);
      });
    });
  webhook
    .command("resume")
    .description("resume a paused endpoint: its waiting events are sent again")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .requiredOption("--webhook <webhookId>", "the endpoint's id", uuidFlag("a webhook endpoint's id"))
    .action(async (o) => {
      await withEndpoints(async (store) => {
        const resumed = await store.resume(o.id, o.webhook, "cli");
        process.stdout.write(`Resumed webhook ${resumed.id}\n`);
      });
    });
}
