import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { startGateway } from "../helpers/gateway";
import { gql } from "../helpers/graphql-client";

const SECRET = "test-secret-test-secret-test-secret-0123456789";
const PROD = { NODE_ENV: "production", OTP_SECRET: SECRET, PUBLIC_URL: "https://otp.example.com", DATABASE_URL: "postgres://postgres@127.0.0.1:5432/unused", PORT: "0" };
/** Each CLI run starts a Node process that loads the whole gateway: seconds apiece on a loaded two-core machine. */
const CLI_TIMEOUT = 120_000;

/**
 * What production refuses before it opens anything: any role without Redis (unless the operator
 * says a serve of role all is the only process), SINGLE_PROCESS with one role, PUBLIC_URL missing
 * or not https, TRUST_PROXY=true. Each is a start-up error naming the variable, exit status 2.
 */
describe("production start-up refusals", () => {
  it("serve of any role without REDIS_URL exits 2 naming REDIS_URL and SINGLE_PROCESS; a bad PUBLIC_URL or TRUST_PROXY=true exits 2 too", () => {
    for (const role of ["api", "worker", "all"]) {
      const r = runCli(["serve", "--role", role], PROD);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`REDIS_URL is required when NODE_ENV=production for --role ${role}: .*SINGLE_PROCESS`));
    }
    const http = runCli(["serve"], { ...PROD, SINGLE_PROCESS: "true", PUBLIC_URL: "http://otp.example.com" });
    expect(http.status).toBe(2);
    expect(http.stderr).toMatch(/PUBLIC_URL must be an https:\/\/ URL/);
    const proxy = runCli(["serve"], { ...PROD, SINGLE_PROCESS: "true", TRUST_PROXY: "true" });
    expect(proxy.status).toBe(2);
    expect(proxy.stderr).toMatch(/TRUST_PROXY must be a hop count/);
    expect(proxy.stderr).not.toContain(SECRET);
  }, CLI_TIMEOUT);

  it("SINGLE_PROCESS=true with --role api or worker exits 2: a process of one role is never the only one", () => {
    for (const role of ["api", "worker"]) {
      const r = runCli(["serve", "--role", role], { ...PROD, SINGLE_PROCESS: "true" });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`SINGLE_PROCESS=true says this is the only gateway process, but --role ${role} is one part of the gateway`));
      expect(r.stderr).not.toContain(SECRET);
    }
  }, CLI_TIMEOUT);

  it("with SINGLE_PROCESS=true, production runs without Redis", async () => {
    const gw = await startGateway({ redis: false, env: { NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", SINGLE_PROCESS: "true", OUTBOX_IN_PRODUCTION: "true" } });
    try {
      const app = await gw.createApp({ name: "Alone" });
      expect((await gql(gw.url, app.key, `{ __typename }`)).data).toEqual({ __typename: "Query" });
    } finally {
      await gw.stop();
    }
  });
});
