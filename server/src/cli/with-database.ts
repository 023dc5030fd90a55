import { loadConfig, type Config } from "../config/config";
import { resolveSecret } from "../config/secret";
import { openDatabase, type OpenDatabase } from "../db/open-database";
import { createLogger } from "../observability/logger";

/** Runs a CLI command against the configured (or embedded) database, migrated, then closes it. */
export async function withDatabase<T>(fn: (db: OpenDatabase & { secret: string; config: Config }) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, undefined);
  const secret = resolveSecret(config);
  const db = await openDatabase(config, log, { migrate: true, poolSize: 2 });
  try {
    return await fn({ ...db, secret, config });
  } finally {
    await db.close();
  }
}
