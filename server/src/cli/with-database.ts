import { loadConfig, type Config } from "../config/config";
import { resolveSecret } from "../config/secret";
import type { OpenDatabase } from "../db/open-database";

/** Runs a CLI command against the configured (or embedded) database, migrated, then closes it. */
export async function withDatabase<T>(fn: (db: OpenDatabase & { secret: string; config: Config }) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Loaded here, not at the top: the driver, TypeORM and the migrations are a large part of the
  // CLI's start-up, and the command tree (`--help`, a refused flag) needs none of them, nor pino.
  const [{ openDatabase }, { createLogger }] = await Promise.all([import("../db/open-database.js"), import("../observability/logger.js")]);
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, undefined);
  const secret = resolveSecret(config);
  const db = await openDatabase(config, log, { migrate: true, poolSize: 2 });
  try {
    return await fn({ ...db, secret, config });
  } finally {
    await db.close();
  }
}
