import { describe, expect, it } from "vitest";
import { checkRoleConfig, ConfigError, loadConfig } from "../../server/src/config/config";

const SECRET = "0123456789abcdef0123456789abcdef";
const PROD = { NODE_ENV: "production", OTP_SECRET: SECRET, PUBLIC_URL: "https://otp.example.com", REDIS_URL: "redis://127.0.0.1:6379" };

/** The problems loadConfig reports for an environment (none: []). */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe("configuration refused at start-up", () => {
  it("TRUST_PROXY=true is refused, naming the variable and why; hop counts and address lists are taken", () => {
    for (const value of ["true", "TRUE", "yes", "*"]) {
      const p = problems({ TRUST_PROXY: value });
      expect(p, value).toHaveLength(1);
      expect(p[0]).toMatch(/^TRUST_PROXY must be a hop count .* not true/);
    }
    for (const value of ["0", "33", "10.0.0.0/33", "proxy.internal", "10.0.0.1,,nonsense", "::1/129"]) expect(problems({ TRUST_PROXY: value }), value).toHaveLength(1);
    for (const value of ["1", "2", "10.0.0.0/8", "127.0.0.1", "loopback,uniquelocal", "10.0.0.0/8, 2001:db8::/32, ::1"]) {
      expect(problems({ TRUST_PROXY: value }), value).toEqual([]);
    }
  });

  it("WORKER_LEASE_SECONDS must outlast PROVIDER_TIMEOUT_MS by a second (a lapsed claim would send a code twice)", () => {
    expect(problems({ WORKER_LEASE_SECONDS: "5" })).toEqual([expect.stringMatching(/^WORKER_LEASE_SECONDS must be at least a second longer than PROVIDER_TIMEOUT_MS \(10000 ms\)/)]);
    expect(problems({ WORKER_LEASE_SECONDS: "10", PROVIDER_TIMEOUT_MS: "9001" })).toHaveLength(1);
    expect(problems({ WORKER_LEASE_SECONDS: "10", PROVIDER_TIMEOUT_MS: "9000" })).toEqual([]);
    expect(problems({ WORKER_LEASE_SECONDS: "5", PROVIDER_TIMEOUT_MS: "4000" })).toEqual([]);
    expect(problems({})).toEqual([]); // the defaults: 60 s against 10 s
  });

  it("DEFAULT_COUNTRY must be a country with phone numbers; its case doesn't matter", () => {
    for (const value of ["XX", "USA", "1", "united states"]) {
      expect(problems({ DEFAULT_COUNTRY: value }), value).toEqual([expect.stringMatching(/^DEFAULT_COUNTRY must be a two-letter country code/)]);
    }
    expect(loadConfig({ DEFAULT_COUNTRY: "gb" }).admin.defaultCountry).toBe("GB");
    expect(loadConfig({}).admin.defaultCountry).toBeUndefined();
  });

  it("in production, PUBLIC_URL is required and must be https", () => {
    const { PUBLIC_URL: _omit, ...withoutUrl } = PROD;
    expect(problems(withoutUrl)).toEqual([expect.stringMatching(/^PUBLIC_URL is required when NODE_ENV=production/)]);
    expect(problems({ ...PROD, PUBLIC_URL: "http://otp.example.com" })).toEqual([expect.stringMatching(/^PUBLIC_URL must be an https:\/\/ URL when NODE_ENV=production/)]);
    expect(problems(PROD)).toEqual([]);
    // Outside production, the local default stays (a first run needs nothing set).
    expect(loadConfig({ PORT: "4100" }).publicUrl).toBe("http://127.0.0.1:4100");
  });

  it("in production, every role without REDIS_URL is refused; SINGLE_PROCESS=true lets role all alone run without it", () => {
    const { REDIS_URL: _omit, ...withoutRedis } = PROD;
    for (const role of ["api", "worker", "all"] as const) {
      expect(() => checkRoleConfig(loadConfig(withoutRedis), role)).toThrow(new RegExp(`REDIS_URL is required when NODE_ENV=production for --role ${role}: `));
      expect(() => checkRoleConfig(loadConfig(PROD), role)).not.toThrow();
      expect(() => checkRoleConfig(loadConfig({ SINGLE_PROCESS: "false" }), role)).not.toThrow(); // development
    }
    expect(() => checkRoleConfig(loadConfig(withoutRedis), "all")).toThrow(/Set SINGLE_PROCESS=true to run one process without Redis/);
    expect(() => checkRoleConfig(loadConfig(withoutRedis), "worker")).toThrow(/fallback deliveries .*SINGLE_PROCESS does not apply/);
    expect(() => checkRoleConfig(loadConfig({ ...withoutRedis, SINGLE_PROCESS: "true" }), "all")).not.toThrow();
    expect(problems({ SINGLE_PROCESS: "maybe" })).toHaveLength(1);
  });

  it("SINGLE_PROCESS=true with --role api or worker is a contradiction, refused in every mode, naming the variable and never a value", () => {
    const { REDIS_URL: _omit, ...withoutRedis } = PROD;
    for (const role of ["api", "worker"] as const) {
      for (const env of [{ ...withoutRedis, SINGLE_PROCESS: "true" }, { ...PROD, SINGLE_PROCESS: "true" }, { SINGLE_PROCESS: "true" }]) {
        let err: unknown;
        try {
          checkRoleConfig(loadConfig(env), role);
        } catch (e) {
          err = e;
        }
        expect(err, `${role} ${JSON.stringify(env)}`).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).problems).toEqual([expect.stringMatching(new RegExp(`^SINGLE_PROCESS=true says this is the only gateway process, but --role ${role} `))]);
        expect((err as Error).message).not.toContain(SECRET);
      }
    }
  });
});
