import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "../../server/src/config/env";
import { loadConfig } from "../../server/src/config/config";

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
}

/** docker-compose.yml as compose reads it: YAML with its merge keys (`<<: *gateway`) applied. */
function services(text: string): Record<string, Service> {
  return (parse(text, { merge: true }) as { services: Record<string, Service> }).services;
}

/** The gateway's own services: those that run its image. */
const gatewayServices = (all: Record<string, Service>) => Object.entries(all).filter(([, s]) => s.image?.startsWith("otp-gateway") || s.build !== undefined);

/** One `${VAR…}` interpolation: `${VAR:?msg}` (required), `${VAR:-default}`, `${VAR-default}` or `${VAR}`. */
interface Interpolation { name: string; required: boolean; fallback: string | undefined }
function interpolations(value: string): Interpolation[] {
  return [...value.matchAll(/\$\{([A-Z0-9_]+)(?:(:?\?)([^}]*)|(:?-)([^}]*))?\}/g)].map((m) => ({
    name: m[1], required: m[2] !== undefined, fallback: m[4] !== undefined ? m[5] : undefined,
  }));
}

/** A value as the gateway receives it when the operator sets nothing optional: defaults filled in, required variables given `given`. */
function withDefaults(value: string, given: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?\?)([^}]*)|(:?-)([^}]*))?\}/g, (_m, name: string, req?: string, _msg?: string, _dash?: string, fallback?: string) =>
    req !== undefined ? given[name] ?? "required-value" : fallback ?? "");
}

const REQUIRED_STAND_INS = { OTP_SECRET: "0123456789abcdef0123456789abcdef", PUBLIC_URL: "https://otp.example.com", POSTGRES_PASSWORD: "a-long-random-password" };
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|_KEY$|_KEY_ID$|ACCESS_KEY/;
const truthy = (v: string) => ["true", "1", "yes"].includes(v.trim().toLowerCase());

/**
 * The production rules (docs/security.md) a compose file must not undo; returns each breach.
 * Kept apart from the test so that it can be shown to catch the file as it was (see below).
 */
function productionBreaches(text: string): string[] {
  const all = services(text);
  const breaches: string[] = [];
  const published = Object.values(all).flatMap((s) => (s.ports ?? []).map(String));
  for (const [name, s] of Object.entries(all)) {
    for (const [key, raw] of Object.entries(s.environment ?? {})) {
      const value = String(raw ?? "");
      // A secret is asked for (${VAR:?…}) or left empty (off), never given a default an operator might keep.
      for (const i of interpolations(value)) {
        if (SECRET_NAME.test(i.name) && !i.required && i.fallback) breaches.push(`${name}: ${i.name} defaults to a value (use \${${i.name}:?…})`);
      }
      if (SECRET_NAME.test(key) && !interpolations(value).length && value) breaches.push(`${name}: ${key} is written in the file`);
    }
  }
  const gateways = gatewayServices(all);
  if (!gateways.length) breaches.push("no service runs the gateway");
  for (const [name, s] of gateways) {
    const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, withDefaults(String(v ?? ""), REQUIRED_STAND_INS)]));
    const rawOf = (k: string) => String(s.environment?.[k] ?? "");
    if (env.NODE_ENV !== "production") breaches.push(`${name}: NODE_ENV is not production`);
    if (env.ADMIN_REQUIRE_TOTP !== undefined && ["false", "0", "no"].includes(env.ADMIN_REQUIRE_TOTP.trim().toLowerCase())) breaches.push(`${name}: ADMIN_REQUIRE_TOTP defaults to false`);
    if (env.VONAGE_SIGNATURE_METHOD === "md5hash") breaches.push(`${name}: VONAGE_SIGNATURE_METHOD defaults to md5hash`);
    for (const flag of ["OUTBOX_IN_PRODUCTION", "ALLOW_TEST_DESTINATIONS", "WEBHOOK_ALLOW_PRIVATE_TARGETS", "SINGLE_PROCESS"]) {
      if (env[flag] !== undefined && truthy(env[flag])) breaches.push(`${name}: ${flag} defaults to true`);
    }
    if (!interpolations(rawOf("OTP_SECRET")).some((i) => i.name === "OTP_SECRET" && i.required)) breaches.push(`${name}: OTP_SECRET is not required (\${OTP_SECRET:?…})`);
    if (env.METRICS_TOKEN) breaches.push(`${name}: METRICS_TOKEN has a default`);
    // /metrics without a token lives on METRICS_PORT, which no service may publish.
    if (env.METRICS_PORT && published.some((p) => new RegExp(`(^|:|-)${env.METRICS_PORT}(/|$)`).test(p.split(":").at(-1)!))) {
      breaches.push(`${name}: METRICS_PORT ${env.METRICS_PORT} is published`);
    }
  }
  return breaches;
}

/**
 * docker-compose.yml can't be started here (no Docker engine), so check what can be checked:
 * it runs the contract's roles, every variable it sets is one the gateway reads, and — it being
 * what operators copy — it keeps the production rules rather than undoing them.
 */
describe("docker-compose.yml", () => {
  const compose = readFileSync("docker-compose.yml", "utf8");
  const all = services(compose);

  it("runs Postgres, Redis, a migration, API and worker roles", () => {
    expect(Object.keys(all).sort()).toEqual(["api", "migrate", "postgres", "redis", "worker"]);
    expect(all.api.command).toEqual(["serve", "--role", "api"]);
    expect(all.worker.command).toEqual(["serve", "--role", "worker"]);
    expect(all.migrate.command).toEqual(["migrate"]);
    expect(gatewayServices(all).map(([n]) => n).sort()).toEqual(["api", "migrate", "worker"]);
  });

  it("sets only variables the configuration schema knows", () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const [service, s] of gatewayServices(all)) {
      const names = Object.keys(s.environment ?? {});
      expect(names.length).toBeGreaterThan(10);
      for (const n of names) expect(known, `${service}: ${n} is not read by server/src/config/env.ts`).toContain(n);
    }
  });

  it("each gateway service's environment, with compose's defaults filled in, is a valid production configuration", () => {
    for (const [, s] of gatewayServices(all)) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, withDefaults(String(v ?? ""), REQUIRED_STAND_INS)]));
      const config = loadConfig(env);
      expect(config.production).toBe(true);
      expect(config.databaseUrl).toBe("postgres://otp:a-long-random-password@postgres:5432/otp");
      expect(config.redisUrl).toBe("redis://redis:6379");
      expect(config.admin.requireTotp).toBe(true);
      expect(config.vonage).toBeUndefined();
      expect(envSchema.parse(env).VONAGE_SIGNATURE_METHOD).toBe("sha256hmac");
      expect(config.outboxInProduction).toBe(false);
      expect(config.allowTestDestinations).toBe(false);
      expect(config.metricsToken).toBeUndefined();
    }
  });

  it("keeps the production rules: nothing it defaults undoes them, no secret has a default", () => {
    expect(productionBreaches(compose)).toEqual([]);
  });

  it("the check catches each way a compose file can undo them (the file as it was before December 2026 among them)", () => {
    const before = compose
      .replace("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}", "${POSTGRES_PASSWORD:-otp}")
      .replace("${VONAGE_SIGNATURE_METHOD:-sha256hmac}", "${VONAGE_SIGNATURE_METHOD:-md5hash}")
      .replace("${ADMIN_REQUIRE_TOTP:-true}", "${ADMIN_REQUIRE_TOTP:-false}");
    expect(productionBreaches(before)).toEqual(expect.arrayContaining([
      "migrate: ADMIN_REQUIRE_TOTP defaults to false", "api: VONAGE_SIGNATURE_METHOD defaults to md5hash",
      "api: POSTGRES_PASSWORD defaults to a value (use ${POSTGRES_PASSWORD:?…})",
    ]));
    const cases: Array<[string, string, RegExp]> = [
      ["NODE_ENV: production", "NODE_ENV: development", /api: NODE_ENV is not production/],
      ["${OUTBOX_IN_PRODUCTION:-false}", "${OUTBOX_IN_PRODUCTION:-true}", /OUTBOX_IN_PRODUCTION defaults to true/],
      ["LOG_LEVEL: ${LOG_LEVEL:-info}", "LOG_LEVEL: ${LOG_LEVEL:-info}\n    ALLOW_TEST_DESTINATIONS: \"true\"", /ALLOW_TEST_DESTINATIONS defaults to true/],
      ["${OTP_SECRET:?set OTP_SECRET to 32+ random characters}", "${OTP_SECRET:-0123456789abcdef0123456789abcdef}", /OTP_SECRET defaults to a value/],
      ["${TWILIO_AUTH_TOKEN:-}", "${TWILIO_AUTH_TOKEN:-changeme}", /TWILIO_AUTH_TOKEN defaults to a value/],
      ["${METRICS_TOKEN:-}", "${METRICS_TOKEN:-a-token-everyone-copies-0123456789}", /METRICS_TOKEN/],
      ['- "4000-4009:4000"', '- "4000-4009:4000"\n      - "9464:9464"', /METRICS_PORT 9464 is published/],
    ];
    for (const [from, to, breach] of cases) {
      expect(compose, `the file has ${from}`).toContain(from);
      expect(productionBreaches(compose.replace(from, to)).join("\n"), `${from} → ${to}`).toMatch(breach);
    }
  });
});
