import { chmodSync, existsSync, mkdtempSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { exited, runCli, startServe } from "../helpers/cli";

/**
 * The README's first command on a fresh machine: `otp-gateway serve` in an empty directory,
 * with no DATABASE_URL, REDIS_URL or vendor: embedded Postgres in ./data, a demo app, the outbox.
 */
describe("embedded default", () => {
  const dir = mkdtempSync(join(tmpdir(), "otpg-embedded-"));
  chmodSync(dir, 0o755); // as root, the embedded Postgres runs as the postgres user, which must reach ./data
  // Where the cluster goes as root when that user can't reach this checkout's binaries (a CI clone in mktemp -d).
  const systemDir = mkdtempSync(join(tmpdir(), "otpg-embedded-system-"));
  chmodSync(systemDir, 0o755);
  const relocated = () => existsSync(join(systemDir, "clusters"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(systemDir, { recursive: true, force: true });
  });

  it("starts from an empty ./data, prints a demo key, and runs request → verify with the code from the log", async () => {
    const port = await freePort();
    const { child, output } = await startServe([], { PORT: String(port), EMBEDDED_PG_SYSTEM_DIR: systemDir }, dir);
    try {
      expect(readdirSync(join(dir, "data"))).toEqual(expect.arrayContaining(relocated() ? ["otp-secret"] : ["pg", "otp-secret"]));
      const key = await eventually(() => /API key: (otpk_\S+)/.exec(output())?.[1], "the demo key");
      const url = `http://127.0.0.1:${port}`;
      const r = await gql(url, key, REQUEST_OTP, { input: { destination: "+14155550401", channel: "SMS" } });
      expect(r.data.requestOtp.deliveries[0].provider).toBe("outbox");
      const code = await eventually(() => {
        const line = output().split("\n").find((l) => l.includes('"outbox"') && l.includes("+14155550401"));
        return line ? extractCode(JSON.parse(line).outbox.body) : undefined;
      }, "the outbox line");
      const v = await gql(url, key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } });
      expect(v.data.verifyOtp.status).toBe("APPROVED");
      // The key is printed once, on the first run; the code only by the outbox line.
      expect(output().split("\n").filter((l) => l.includes(code) && !l.includes('"outbox"'))).toEqual([]);

      // The CLI works against the running embedded database.
      const created = runCli(["app", "create", "--name", "CLI app", "--ttl", "120", "--countries", "US,GB", "--json"], { EMBEDDED_PG_SYSTEM_DIR: systemDir }, dir);
      expect(created.status).toBe(0);
      const { id, apiKey } = JSON.parse(created.stdout);
      expect((await gql(url, apiKey, `{ __typename }`)).data).toEqual({ __typename: "Query" });
      expect(runCli(["app", "revoke-key", "--id", id, "--all"], { EMBEDDED_PG_SYSTEM_DIR: systemDir }, dir).status).toBe(0);
      expect((await gql(url, apiKey, `{ __typename }`)).status).toBe(401);
    } finally {
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(0);
    }
    // Second start: same data, no new demo app.
    const again = await startServe([], { PORT: String(await freePort()), EMBEDDED_PG_SYSTEM_DIR: systemDir }, dir);
    expect(again.output()).not.toContain("Demo app created");
    again.child.kill("SIGTERM");
    expect(await exited(again.child)).toBe(0);
  }, 120_000);

  it("refuses bad configuration with the variable's name, exit code 2, and never the secret", () => {
    const r = runCli(["migrate"], { PORT: "not-a-port", OTP_SECRET: "short-secret-value" }, dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("PORT");
    expect(r.stderr).toContain("OTP_SECRET must be at least 32 characters");
    expect(r.stderr).not.toContain("short-secret-value");
    const prod = runCli(["migrate"], { NODE_ENV: "production" }, dir);
    expect(prod.status).toBe(2);
    expect(prod.stderr).toContain("OTP_SECRET is required when NODE_ENV=production");
  }, 90_000); // two CLI processes, each loading the whole gateway: slow on a loaded 2-core machine

  it("validates app create flags", () => {
    const r = runCli(["app", "create", "--name", "x", "--ttl", "0"], {}, dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("ttl must be a whole number from 1 to 86400");
  });
});
