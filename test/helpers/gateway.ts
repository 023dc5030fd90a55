import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createApp, type AppOptions, type RunningApp } from "../../server/src/app";
import type { AppOptions as AppSettings } from "../../server/src/apps/app-service";
import { loadConfig } from "../../server/src/config/config";
import { LogCapture } from "./log-capture";
import { createTestDatabase, TEST_REDIS_URL } from "./test-database";
import { createServer } from "node:net";

/** A port free right now, so PUBLIC_URL (which providers call back on) can be known before start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestGateway {
  url: string;
  app: RunningApp;
  logs: LogCapture;
  env: Record<string, string>;
  /** Creates a client app; returns its id and key. */
  createApp(settings?: Partial<AppSettings>): Promise<{ id: string; key: string }>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions extends Omit<AppOptions, "logStream"> {
  env?: Record<string, string | undefined>;
  /** Reuse a database (several processes over one Postgres); a fresh one otherwise. */
  databaseUrl?: string;
  redis?: boolean;
}

/**
 * A real gateway for a suite: its own Postgres database, its own Redis key prefix, a random
 * port, logs captured. The same createApp the CLI runs; only configuration differs.
 */
export async function startGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  // Migrated already (a copy of the run's template): the gateway's own migrate() finds nothing to do.
  const db = opts.databaseUrl ? undefined : await createTestDatabase({ migrated: true });
  const dataDir = mkdtempSync(join(tmpdir(), "otpg-"));
  const port = opts.env?.PORT ?? String(await freePort());
  const env: Record<string, string> = {
    PORT: port,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOST: "127.0.0.1",
    DATABASE_URL: opts.databaseUrl ?? db!.url,
    OTP_SECRET: "test-secret-test-secret-test-secret-0123456789",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    WORKER_POLL_MS: "200",
    ...(opts.redis === false ? {} : { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-test-${randomBytes(4).toString("hex")}:` }),
    ...(Object.fromEntries(Object.entries(opts.env ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>),
  };
  const logs = new LogCapture();
  const app = await createApp(loadConfig(env), { ...opts, logStream: logs });
  return {
    url: app.url,
    app,
    logs,
    env,
    async createApp(settings = {}) {
      const { app: created, apiKey } = await app.services.apps.create({ name: "Test App", ...settings });
      return { id: created.id, key: apiKey };
    },
    async stop() {
      await app.stop();
      await db?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
