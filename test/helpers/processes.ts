import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServe } from "./cli";
import { freePort } from "./gateway";

/** One `otp-gateway serve` child process and how to reach it. */
export interface ServeProcess {
  role: string;
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `otp-gateway serve --role <role>` as operators run it (the built CLI, environment
 * only), on its own port and data directory; `env` carries what processes share (database,
 * Redis and its prefix, OTP_SECRET, vendors).
 */
export async function serveProcess(role: "all" | "api" | "worker", env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `otpg-${role}-`));
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = await startServe(["--role", role], {
    HOST: "127.0.0.1", PORT: String(port), PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: "info", WORKER_POLL_MS: "200", ...env,
  });
  return {
    role, url, child, output,
    async stop() {
      const code = await ended(child, () => child.kill("SIGTERM"));
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Waits for the process to end (after `nudge`, when it is still running); resolves at once if it already has. */
export function ended(child: ChildProcess, nudge: () => void = () => undefined): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  const done = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  nudge();
  return done;
}
