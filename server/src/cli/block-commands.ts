import type { Command } from "commander";
import { userInfo } from "node:os";
import type { DataSource } from "typeorm";
import { loadConfig } from "../config/config";
import type { BlockService } from "../protection/block-service";
import type { BlockSummary } from "../protection/block-store";
import type { RedisClient } from "../redis";
import { withDatabase } from "./with-database";
import { cliRefusals, uuidFlag, wholeNumber } from "./usage-error";

/**
 * `otp-gateway block list|lift`: what the rate limits refused, and freeing a key an operator
 * has judged safe. The counters live in Redis (REDIS_URL), so a lift from here resets them for
 * every gateway process; without Redis they live inside the one running process, which this
 * command can't reach: the block is marked lifted, and its counter runs out with its window
 * (lift from the dashboard instead, which runs in that process).
 */
export function registerBlockCommands(program: Command): void {
  const block = program.command("block").description("rate-limit blocks: list them, lift one");
  block
    .command("list")
    .description("list blocks, newest first")
    .option("--active", "only blocks still in force")
    .option("--app <appId>", "only this app's blocks", uuidFlag("an app's id"))
    .option("--limit <n>", "how many, 1 to 10000 (default 100)", wholeNumber(1, 10_000))
    .option("--json", "one JSON array")
    .action(async (o: { active?: boolean; app?: string; limit?: number; json?: boolean }) => {
      await withBlockService(async (service) => {
        const rows = await service.list({ active: o.active, appId: o.app, limit: o.limit });
        process.stdout.write(o.json ? `${JSON.stringify(rows)}\n` : table(rows));
      });
    });
  block
    .command("lift")
    .description("lift a block: the key may send (or verify) again at once")
    .requiredOption("--id <blockId>", "the block's id (from `block list`)", uuidFlag("a block's id"))
    // Required: a lift is audited, and "why" is what a later reader of the audit log needs.
    .requiredOption("--reason <text>", "why, kept with the block and in the audit log (1 to 500 characters)")
    .option("--by <name>", "who lifts it", "cli")
    .action(async (o: { id: string; reason: string; by: string }) => {
      await withBlockService(async (service, ds) => {
        const lifted = await cliRefusals(() => service.lift(o.id, o.by, o.reason));
        const { AuditLog } = await import("../admin/auth/audit-log.js");
        await new AuditLog(ds).record({
          actor: { id: null, email: `cli:${userInfo().username}`, role: null }, action: "block.lift", targetType: "rate_limit_block", targetId: lifted.id,
          reason: o.reason, before: { rule: lifted.rule, key: lifted.keyMasked, shadow: lifted.shadow }, after: { lifted: true, by: o.by, alsoLifted: lifted.alsoLifted },
        });
        const also = lifted.alsoLifted ? ` (and ${lifted.alsoLifted} other block(s) on the same key)` : "";
        process.stdout.write(`Lifted block ${lifted.id}: ${lifted.rule} on ${lifted.keyMasked}${also}\n`);
      });
    });
}

async function withBlockService(fn: (service: BlockService, ds: DataSource) => Promise<void>): Promise<void> {
  const config = loadConfig();
  // Loaded when a block command runs (redis, the limiters), not when the command tree is built.
  const [{ PumpingGuard }, { deriveKeys }, { createLogger }, { BlockService }, { BlockStore }, { RateLimits }, { LimitWriteRetry }, { connectRedis }] = await Promise.all([
    import("../protection/pumping-guard.js"), import("../crypto/secret-keys.js"), import("../observability/logger.js"), import("../protection/block-service.js"),
    import("../protection/block-store.js"), import("../protection/rate-limits.js"), import("../protection/limit-write-retry.js"), import("../redis.js"),
  ]);
  const log = createLogger("warn", undefined);
  await withDatabase(async ({ ds, secret }) => {
    let redis: RedisClient | undefined;
    if (config.redisUrl) redis = await connectRedis(config.redisUrl, log);
    try {
      const store = new BlockStore(ds, deriveKeys(secret).lookup);
      const limits = new RateLimits(redis, config.redisPrefix, store, log);
      await fn(new BlockService(ds, store, limits, log, new PumpingGuard(ds, limits, store, log, new LimitWriteRetry(log))), ds);
    } finally {
      await redis?.quit().catch(() => undefined);
    }
  });
}

function table(rows: BlockSummary[]): string {
  if (!rows.length) return "No blocks.\n";
  const iso = (d: Date | null) => (d ? new Date(d).toISOString().replace(/\.\d+Z$/, "Z") : "-");
  const lines = rows.map((r) =>
    [r.id, r.active ? "ACTIVE" : r.liftedAt ? "LIFTED" : "EXPIRED", r.rule, r.keyMasked, `${r.hits}/${r.limit}`, iso(r.blockedUntil), r.appId ?? "-"].join("  "),
  );
  return `${["id", "state", "rule", "key", "hits/limit", "until", "app"].join("  ")}\n${lines.join("\n")}\n`;
}
