import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema } from "../../server/src/config/env";
import { loadConfig } from "../../server/src/config/config";

/**
 * docker-compose.yml can't be started here (no Docker engine), so check what can be checked:
 * it runs the contract's roles, and every variable it sets is one the gateway reads.
 */
describe("docker-compose.yml", () => {
  const compose = readFileSync("docker-compose.yml", "utf8");

  it("runs Postgres, Redis, a migration, API and worker roles", () => {
    for (const service of ["postgres:", "redis:", "migrate:", "api:", "worker:"]) expect(compose).toContain(`\n  ${service}`);
    expect(compose).toContain('command: ["serve", "--role", "api"]');
    expect(compose).toContain('command: ["serve", "--role", "worker"]');
    expect(compose).toContain('command: ["migrate"]');
  });

  it("sets only variables the configuration schema knows", () => {
    const known = new Set(Object.keys(envSchema.shape));
    const block = compose.slice(compose.indexOf("environment: &gateway-env"), compose.indexOf("depends_on:"));
    const names = [...block.matchAll(/^\s{4}([A-Z_]+):/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect(known, `${n} is not read by server/src/config/env.ts`).toContain(n);
  });

  it("its gateway environment, with compose's defaults filled in, is a valid production configuration", () => {
    const block = compose.slice(compose.indexOf("environment: &gateway-env"), compose.indexOf("depends_on:"));
    const env: Record<string, string> = {};
    for (const m of block.matchAll(/^\s{4}([A-Z_]+): (.*)$/gm)) {
      // ${VAR:-default} → default; ${VAR:?message} (required) → a stand-in value; "x" → x
      env[m[1]] = m[2]
        .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1")
        .replace(/\$\{OTP_SECRET:\?[^}]*\}/, "0123456789abcdef0123456789abcdef")
        .replace(/\$\{PUBLIC_URL:\?[^}]*\}/, "https://otp.example.com")
        .replace(/^"(.*)"$/, "$1");
    }
    const config = loadConfig(env);
    expect(config.production).toBe(true);
    expect(config.databaseUrl).toMatch(/^postgres:\/\/otp:/);
    expect(config.redisUrl).toBe("redis://redis:6379");
  });
});
