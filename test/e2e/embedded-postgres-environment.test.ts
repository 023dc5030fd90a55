import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/gateway";
import { exited, startServe } from "../helpers/cli";
import { eventually } from "../helpers/codes";

/**
 * As root the embedded PostgreSQL runs as the `postgres` account, which can read the environment
 * its processes were started with in /proc/<pid>/environ. The gateway's environment carries
 * OTP_SECRET and the vendors' tokens: none of it may reach postgres, which gets a minimal
 * environment. Both ways root runs it are covered: the cluster in ./data/pg (a folder the postgres
 * user can reach) and the cluster relocated under EMBEDDED_PG_SYSTEM_DIR (a private folder).
 */
const root = process.getuid?.() === 0;
const ALLOWED = /^(PATH|HOME|TZ|LANG|LANGUAGE|LC_[A-Z]+)$/;
const SECRETS = {
  OTP_SECRET: "environ-probe-otp-secret-0123456789abcdef",
  TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000099",
  TWILIO_AUTH_TOKEN: "environ-probe-twilio-token-0123456789",
  TWILIO_FROM: "+15005550006",
  TWILIO_API_BASE_URL: "http://127.0.0.1:9",
  SENDGRID_LIKE_EXTRA_TOKEN: "environ-probe-extra-token-abcdef",
};

/** The environment of every process the postgres account runs on `clusterDir` (its postmaster shows the block it was started with). */
function postgresEnvironments(clusterDir: string): Array<{ pid: number; env: string[] }> {
  const out: Array<{ pid: number; env: string[] }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (!cmdline[0].endsWith("/postgres") || !cmdline.includes(clusterDir)) continue;
      if (statSync(`/proc/${entry}`).uid === 0) continue; // only what the postgres account can read
      out.push({ pid: Number(entry), env: readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").filter(Boolean) });
    } catch {
      // a process that ended while we looked
    }
  }
  return out;
}

async function probe(dir: string, systemDir: string, clusterDir: () => string): Promise<void> {
  const port = await freePort();
  const { child, output } = await startServe([], { PORT: String(port), EMBEDDED_PG_SYSTEM_DIR: systemDir, ...SECRETS }, dir);
  try {
    // Fully up (database migrated, worker running) before it is looked at and stopped.
    await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), "readyz", 60_000);
    const processes = postgresEnvironments(clusterDir());
    expect(processes.length).toBeGreaterThan(0); // the postmaster, at least
    for (const { env } of processes) {
      const text = env.join("\n");
      for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
      expect(env.map((kv) => kv.split("=")[0]).filter((name) => !ALLOWED.test(name))).toEqual([]);
    }
  } finally {
    child.kill("SIGTERM");
    expect(await exited(child), output()).toBe(0);
  }
}

describe.runIf(root)("embedded postgres run by root: a minimal environment", () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string, mode: number) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    chmodSync(d, mode);
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("the cluster in ./data/pg: postgres never sees OTP_SECRET, vendor tokens or any variable beyond the minimal set", async () => {
    const dir = tempDir("otpg-environ-", 0o755);
    const systemDir = tempDir("otpg-environ-system-", 0o755);
    // In ./data/pg when the postgres account can reach the gateway's own files too; a checkout in a
    // private folder (CI clones into one) relocates it under the system directory: look where it is.
    await probe(dir, systemDir, () => {
      if (existsSync(join(dir, "data", "pg", "PG_VERSION"))) return join(dir, "data", "pg");
      const [id] = readdirSync(join(systemDir, "clusters"));
      return join(systemDir, "clusters", id, "pg");
    });
  }, 120_000);

  it("the cluster relocated under the system directory: the same", async () => {
    const dir = tempDir("otpg-environ-private-", 0o700);
    const systemDir = tempDir("otpg-environ-system-", 0o755);
    await probe(dir, systemDir, () => {
      const [id] = readdirSync(join(systemDir, "clusters"));
      return join(systemDir, "clusters", id, "pg");
    });
  }, 120_000);
});
