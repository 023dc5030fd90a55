import { DataSource } from "typeorm";
import { entities } from "./entities";
import { migrations } from "./migrations";

/** The one TypeORM data source. Schema changes only through migrations: synchronize stays off. */
export function createDataSource(url: string, poolSize = 20): DataSource {
  return new DataSource({
    type: "postgres",
    url,
    entities,
    migrations,
    migrationsTableName: "migrations",
    synchronize: false,
    logging: false,
    poolSize,
    extra: { connectionTimeoutMillis: 5000, idleTimeoutMillis: 30_000 },
  });
}

/** Applies pending migrations under an advisory lock, so several processes starting at once don't race. */
export async function migrate(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock(727001)");
    const applied = await ds.runMigrations({ transaction: "each" });
    return applied.map((m) => m.name);
  } finally {
    await runner.query("SELECT pg_advisory_unlock(727001)").catch(() => undefined);
    await runner.release();
  }
}
