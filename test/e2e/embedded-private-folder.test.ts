import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { exited, runCli, startServe } from "../helpers/cli";

/**
 * The README's first command from a private folder (mode 0700, as `mktemp -d` makes it and as a
 * home directory under /root is). As root the embedded PostgreSQL runs as the `postgres` user, who
 * can't enter such a folder: the cluster (and, when the checkout is private too, a copy of the
 * binaries) must then live under EMBEDDED_PG_SYSTEM_DIR, named in the log, while the secrets stay
 * in the private ./data. As any other user the folder is theirs and nothing moves.
 */
describe("embedded default in a private (0700) folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "otpg-private-"));
  chmodSync(dir, 0o700);
  // A system directory of this test's own (the default is /var/lib/otp-gateway); the postgres user must reach it.
  const systemDir = mkdtempSync(join(tmpdir(), "otpg-system-"));
  chmodSync(systemDir, 0o755);
  const root = process.getuid?.() === 0;
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(systemDir, { recursive: true, force: true });
  });

  it("starts, sends a code to the outbox, verifies it, and restarts on the same cluster", async () => {
    const env = { PORT: String(await freePort()), EMBEDDED_PG_SYSTEM_DIR: systemDir };
    const { child, output } = await startServe([], env, dir);
    try {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const data = join(dir, "data");
      expect(statSync(join(data, "otp-secret")).mode & 0o077).toBe(0); // secrets stay private
      if (root) {
        // The cluster moved where the postgres user can reach it, and the log says where.
        const clusters = readdirSync(join(systemDir, "clusters"));
        expect(clusters).toHaveLength(1);
        const clusterDir = join(systemDir, "clusters", clusters[0], "pg");
        expect(existsSync(join(clusterDir, "PG_VERSION"))).toBe(true);
        expect(statSync(join(systemDir, "clusters", clusters[0])).mode & 0o077).toBe(0);
        expect(output()).toContain(clusterDir);
        expect(existsSync(join(data, "pg"))).toBe(false);
      } else {
        expect(existsSync(join(data, "pg", "PG_VERSION"))).toBe(true);
      }
      const key = await eventually(() => /API key: (otpk_\S+)/.exec(output())?.[1], "the demo key");
      const url = `http://127.0.0.1:${env.PORT}`;
      const r = await gql(url, key, REQUEST_OTP, { input: { destination: "+14155550402", channel: "SMS" } });
      expect(r.data.requestOtp.deliveries[0].provider).toBe("outbox");
      const code = await eventually(() => {
        const line = output().split("\n").find((l) => l.includes('"outbox"') && l.includes("+14155550402"));
        return line ? extractCode(JSON.parse(line).outbox.body) : undefined;
      }, "the outbox line");
      const v = await gql(url, key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } });
      expect(v.data.verifyOtp.status).toBe("APPROVED");
      // The CLI finds the same running cluster.
      const created = runCli(["app", "create", "--name", "Private", "--json"], { EMBEDDED_PG_SYSTEM_DIR: systemDir }, dir);
      expect(created.status).toBe(0);
      expect(JSON.parse(created.stdout).apiKey).toMatch(/^otpk_/);
    } finally {
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(0);
    }
    const again = await startServe([], { PORT: String(await freePort()), EMBEDDED_PG_SYSTEM_DIR: systemDir }, dir);
    expect(again.output()).not.toContain("Demo app created");
    again.child.kill("SIGTERM");
    expect(await exited(again.child)).toBe(0);
  }, 180_000);
});
