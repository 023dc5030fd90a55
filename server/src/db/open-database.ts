import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Config } from "../config/config";
import { createDataSource, migrate } from "./data-source";
import { startEmbeddedPostgres } from "./embedded-postgres";

export interface OpenDatabase { ds: DataSource; url: string; embedded: boolean; close(): Promise<void> }

/** DATABASE_URL's Postgres, or the embedded one in the data directory; migrated when asked. */
export async function openDatabase(config: Config, log: Logger, options: { migrate: boolean; poolSize?: number }): Promise<OpenDatabase> {
  const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, log, config.embeddedPgSystemDir);
  const url = config.databaseUrl ?? embedded!.url;
  const ds = createDataSource(url, options.poolSize);
  try {
    await ds.initialize();
    if (options.migrate) {
      const applied = await migrate(ds);
      if (applied.length) log.info({ migrations: applied }, "applied database migrations");
    }
  } catch (err) {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
    throw err;
  }
  return {
    ds, url, embedded: Boolean(embedded),
    async close() {
      await ds.destroy().catch(() => undefined);
      await embedded?.stop();
    },
  };
}
