import { z } from "zod";

/**
 * The environment, parsed once at start-up. Nothing else in the code base reads
 * process.env: every component receives the typed Config it needs.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const boolFlag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().default("127.0.0.1"),
    PUBLIC_URL: optionalString.pipe(z.string().url().optional()),
    DATABASE_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL").optional()),
    REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").optional()),
    REDIS_PREFIX: z.string().default("otpg:"),
    OTP_SECRET: optionalString.pipe(z.string().min(32, "must be at least 32 characters").optional()),
    DATA_DIR: z.string().default("./data"),
    TWILIO_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-zA-Z]{8,}$/, "must start with AC").optional()),
    TWILIO_AUTH_TOKEN: optionalString,
    TWILIO_FROM: optionalString,
    TWILIO_API_BASE_URL: optionalString.pipe(z.string().url().optional()),
    VONAGE_API_KEY: optionalString,
    VONAGE_API_SECRET: optionalString,
    VONAGE_FROM: optionalString,
    VONAGE_API_BASE_URL: optionalString.pipe(z.string().url().optional()),
    VONAGE_SIGNATURE_SECRET: optionalString,
    SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional()),
    MAIL_FROM: optionalString,
    TRUST_PROXY: optionalString,
    OUTBOX_IN_PRODUCTION: boolFlag,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
    WORKER_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    WORKER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    ADMIN_SESSION_IDLE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(1800),
    ADMIN_SESSION_MAX_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(12 * 3600),
    ADMIN_REQUIRE_TOTP: boolFlag,
    ADMIN_LOGIN_MAX_PER_EMAIL: z.coerce.number().int().min(1).max(10_000).default(5),
    ADMIN_LOGIN_MAX_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === "production";
    if (production && !env.OTP_SECRET) {
      ctx.addIssue({ code: "custom", path: ["OTP_SECRET"], message: "is required when NODE_ENV=production" });
    }
    const twilio = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM];
    if (twilio.some(Boolean) && !twilio.every(Boolean)) {
      ctx.addIssue({ code: "custom", path: ["TWILIO_ACCOUNT_SID"], message: "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM go together" });
    }
    const vonage = [env.VONAGE_API_KEY, env.VONAGE_API_SECRET, env.VONAGE_FROM];
    if (vonage.some(Boolean) && !vonage.every(Boolean)) {
      ctx.addIssue({ code: "custom", path: ["VONAGE_API_KEY"], message: "VONAGE_API_KEY, VONAGE_API_SECRET and VONAGE_FROM go together" });
    }
    if (env.SMTP_URL && !env.MAIL_FROM) {
      ctx.addIssue({ code: "custom", path: ["MAIL_FROM"], message: "is required with SMTP_URL" });
    }
  });

export type Env = z.output<typeof envSchema>;
