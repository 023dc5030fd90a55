import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../server/src/app";
import { loadConfig } from "../../server/src/config/config";
import { freePort } from "./gateway";
import { LogCapture } from "./log-capture";
import { createTestDatabase } from "./test-database";

/** Starts a gateway on a fresh database expecting it to refuse; returns the error (and cleans up either way). */
export async function startFails(env: Record<string, string>): Promise<Error> {
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), "otpg-"));
  try {
    const config = loadConfig({
      PORT: String(await freePort()), HOST: "127.0.0.1", DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: "warn",
      OTP_SECRET: "test-secret-test-secret-test-secret-0123456789", ...env,
    });
    const app = await createApp(config, { logStream: new LogCapture() });
    await app.stop();
  } catch (err) {
    return err as Error;
  } finally {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  throw new Error("the gateway started");
}
