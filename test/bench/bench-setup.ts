/** What the benchmark and the soak share: where results go, and how a measured gateway is started. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { BENCH_TWILIO } from "./bench-app";
import { forkChild } from "./ipc";
import { TEST_REDIS_URL } from "../helpers/test-database";

export const ROOT = resolve(__dirname, "../../..");
export const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A production-mode gateway on the given database, Redis with a fresh prefix, Twilio pointed at the stand-in. */
export function gatewayEnv(databaseUrl: string, vendorUrl: string, logLevel: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "production", PUBLIC_URL: "https://bench.example.com", HOST: "127.0.0.1", PORT: "0", DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `otpg-bench-${randomBytes(4).toString("hex")}:`, OTP_SECRET: "bench-secret-bench-secret-bench-secret-0123",
    DATA_DIR: mkdtempSync(join(tmpdir(), "otpg-bench-")), LOG_LEVEL: logLevel,
    TWILIO_ACCOUNT_SID: BENCH_TWILIO.accountSid, TWILIO_AUTH_TOKEN: BENCH_TWILIO.authToken, TWILIO_FROM: BENCH_TWILIO.from, TWILIO_API_BASE_URL: vendorUrl,
    ...extra,
  };
}

/** Forks a gateway process of `role`; with `createApp`, it also creates the bench app and reports its key. */
export async function startGateway(env: Record<string, string>, role: string, createApp: boolean, profile: boolean) {
  const execArgv = ["--expose-gc", ...(profile ? ["--cpu-prof", "--cpu-prof-dir", join(ROOT, "bench-results/profiles")] : [])];
  return forkChild<{ url: string; apiKey: string | null; pid: number }>("gateway-process", {
    ...env, BENCH_ROLE: role, BENCH_CREATE_APP: createApp ? "1" : "0", BENCH_LOG_FILE: join(env.DATA_DIR, `gateway-${role}.log`),
  }, execArgv);
}

