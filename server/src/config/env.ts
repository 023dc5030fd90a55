import { z } from "zod";
import { isSupportedCountry } from "libphonenumber-js/max";
import { Channel } from "../verification/enums";
import { parseSenderList, SenderListError } from "./senders";
import { whatsappEnvProblems, whatsappEnvShape } from "./whatsapp-env";
import { telegramEnvProblems, telegramEnvShape } from "./telegram-env";
import { rcsEnvProblems, rcsEnvShape } from "./rcs-env";
import { simSwapEnvProblems, simSwapEnvShape } from "./sim-swap-env";
import { trustProxyProblem } from "../http/trust-proxy";

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

/** A flag whose default depends on other settings: undefined when unset (or empty). */
const optionalBoolFlag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v === "true" || v === "1" || v === "yes"));

/** The vendors a channel may name, in failover order: SMS_PROVIDERS=twilio,vonage. Unknown names fail start-up. */
export const PROVIDER_NAMES = ["twilio", "vonage", "smtp", "outbox", "http", "sns", "messagebird", "telegram"] as const;
const providerList = optionalString.pipe(
  z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.enum(PROVIDER_NAMES)).min(1).refine((l) => new Set(l).size === l.length, "names a provider twice"))
    .optional(),
);

/** One sender, or a per-country list "US:+15551234567,GB:AcmeID,*:+15557654321" (config/senders.ts). */
const senderList = optionalString.pipe(
  z
    .string()
    .transform((v, ctx) => {
      try {
        return parseSenderList(v);
      } catch (e) {
        if (!(e instanceof SenderListError)) throw e;
        ctx.addIssue({ code: "custom", message: e.message });
        return z.NEVER;
      }
    })
    .optional(),
);

/** The channels the `http` provider carries: HTTP_PROVIDER_CHANNELS=SMS,VOICE (whatever the Channel enum has). */
const channelList = z
  .string()
  .trim()
  .default("SMS")
  .transform((v) => v.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean))
  .pipe(z.array(z.enum(Object.values(Channel) as [Channel, ...Channel[]])).min(1).refine((l) => new Set(l).size === l.length, "names a channel twice"));

/** Standard Webhooks secrets are "whsec_" + base64 of at least 16 random bytes (24 to 64 is usual). */
const webhookSecret = optionalString.pipe(
  z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, "must be a Standard Webhooks secret: whsec_ followed by base64")
    .refine((v) => Buffer.from(v.slice(6), "base64").length >= 16, "must hold at least 16 bytes of key (base64 after whsec_)")
    .optional(),
);

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
    /** As root, where the embedded cluster goes when the postgres user can't enter DATA_DIR (root-postgres.ts). */
    EMBEDDED_PG_SYSTEM_DIR: z.string().default("/var/lib/otp-gateway"),
    TWILIO_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-zA-Z]{8,}$/, "must start with AC").optional()),
    TWILIO_AUTH_TOKEN: optionalString,
    TWILIO_FROM: senderList,
    TWILIO_API_BASE_URL: optionalString.pipe(z.string().url().optional()),
    VONAGE_API_KEY: optionalString,
    VONAGE_API_SECRET: optionalString,
    VONAGE_FROM: senderList,
    VONAGE_API_BASE_URL: optionalString.pipe(z.string().url().optional()),
    VONAGE_SIGNATURE_SECRET: optionalString,
    /** How Vonage signs webhooks (dashboard: API settings → signature method). SHA-256 HMAC unless told: Vonage's own default, MD5 hash, is weak. */
    VONAGE_SIGNATURE_METHOD: z.enum(["md5hash", "md5hmac", "sha1hmac", "sha256hmac", "sha512hmac"]).default("sha256hmac"),
    /** The Vonage account's billing currency: the SMS API's prices (`message-price`, a receipt's `price`) don't name it. */
    VONAGE_PRICE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code, e.g. EUR").default("EUR"),
    // More vendors: AWS SNS (the SDK's credential chain; keys only when given) and "bring your own" over HTTP.
    AWS_REGION: optionalString.pipe(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as eu-west-1").optional()),
    AWS_ACCESS_KEY_ID: optionalString,
    AWS_SECRET_ACCESS_KEY: optionalString,
    AWS_SESSION_TOKEN: optionalString,
    AWS_SNS_ENDPOINT: optionalString.pipe(z.string().url().optional()),
    AWS_SNS_SENDER_ID: optionalString.pipe(z.string().regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, "must be 1 to 11 letters and digits, with at least one letter").optional()),
    MESSAGEBIRD_ACCESS_KEY: optionalString,
    MESSAGEBIRD_ORIGINATOR: senderList,
    MESSAGEBIRD_API_BASE_URL: optionalString.pipe(z.string().url().optional()),
    MESSAGEBIRD_SIGNING_KEY: optionalString,
    HTTP_PROVIDER_URL: optionalString.pipe(z.string().url().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional()),
    HTTP_PROVIDER_SECRET: webhookSecret,
    /** The secret the vendor signs its status reports with, when it differs from the one we sign messages with (default: HTTP_PROVIDER_SECRET). */
    HTTP_PROVIDER_CALLBACK_SECRET: webhookSecret,
    HTTP_PROVIDER_CHANNELS: channelList,
    SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional()),
    MAIL_FROM: optionalString,
    TRUST_PROXY: optionalString,
    OUTBOX_IN_PRODUCTION: boolFlag,
    /** The outbox reports each message DELIVERED this long after keeping it; `off`: never (unset: 1500, off in production). */
    OUTBOX_DELIVERY_DELAY_MS: optionalString.pipe(
      z.union([z.literal("off"), z.string().regex(/^\d+$/, "must be a number of milliseconds (0 to 600000) or off").transform(Number).pipe(z.number().int().max(600_000))]).optional(),
    ),
    /** In production, an api/all role without REDIS_URL starts only with this set: one process, limits counted in memory. */
    SINGLE_PROCESS: boolFlag,
    // Abuse protection: fixed-code test destinations in production (refused unless named), GraphQL document limits.
    ALLOW_TEST_DESTINATIONS: boolFlag,
    GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(1).max(1000).default(15),
    GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(6),
    GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).max(100_000).default(1000),
    GRAPHQL_MAX_COST: z.coerce.number().int().min(10).max(1_000_000).default(1000),
    GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(1).max(1000).default(10),
    // Tracing (OpenTelemetry): on when an OTLP endpoint is set; the SDK reads these and every other OTEL_* variable itself.
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(z.string().url().optional()),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalString.pipe(z.string().url().optional()),
    OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/protobuf", "http/json", "grpc"]).optional(),
    OTEL_SERVICE_NAME: optionalString,
    OTEL_SDK_DISABLED: boolFlag,
    /** The JWKS's Cache-Control max-age; `keys rotate` signs with a new key only after it (plus the key refresh) has passed. */
    JWKS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /**
     * Where `serve` (role all) runs its delivery worker: `thread` (its own event loop on another
     * core, in the same process), `inline` (the API's event loop), or `auto` — a thread when
     * REDIS_URL is set, inline without (in-memory limits and events need one event loop).
     */
    WORKER_THREAD: z.enum(["auto", "thread", "inline"]).default("auto"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
    WORKER_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    WORKER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    // Delivery: providers per channel in failover order, retries, circuit breakers.
    SMS_PROVIDERS: providerList,
    VOICE_PROVIDERS: providerList,
    EMAIL_PROVIDERS: providerList,
    // Bounded growth: rows older than RETENTION_DAYS are deleted by the worker role; /metrics on its own port.
    /** A JSON file of prices for vendors that don't report theirs (prices/price-table.ts). */
    PRICE_TABLE: optionalString,
    RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
    RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
    METRICS_PORT: optionalString.pipe(z.string().regex(/^\d+$/, "must be a port number").transform(Number).pipe(z.number().int().min(1).max(65535)).optional()),
    /** A scraper's bearer token for /metrics on PORT; in production PORT serves /metrics to nobody else. */
    METRICS_TOKEN: optionalString.pipe(z.string().min(32, "must be at least 32 characters").regex(/^\S+$/, "must not contain spaces").optional()),
    UNMATCHED_CALLBACKS_MAX: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
    WHATSAPP_PROVIDERS: providerList,
    TELEGRAM_PROVIDERS: providerList,
    RCS_PROVIDERS: providerList,
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    DELIVERY_ATTEMPTS_PER_PROVIDER: z.coerce.number().int().min(1).max(20).default(3),
    DELIVERY_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
    DELIVERY_RETRY_MAX_MS: z.coerce.number().int().min(1).max(3_600_000).default(60_000),
    CIRCUIT_CONSECUTIVE_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
    CIRCUIT_FAILURE_RATIO: z.coerce.number().gt(0).lt(1).default(0.5),
    CIRCUIT_WINDOW: z.coerce.number().int().min(2).max(10_000).default(20),
    CIRCUIT_HALF_OPEN_AFTER_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
    // Outbound webhooks (verification events for client apps): their own worker, timeouts and retry schedule.
    WEBHOOK_ALLOW_PRIVATE_TARGETS: boolFlag,
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    WEBHOOK_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
    WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).max(3_600_000).default(3_600_000),
    WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(86_400),
    ADMIN_SESSION_IDLE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(1800),
    ADMIN_SESSION_MAX_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(12 * 3600),
    // Unset: required in production (NODE_ENV=production), not otherwise; `false` opts out.
    ADMIN_REQUIRE_TOTP: optionalBoolFlag,
    ADMIN_LOGIN_MAX_PER_EMAIL: z.coerce.number().int().min(1).max(10_000).default(5),
    ADMIN_LOGIN_MAX_PER_IP: z.coerce.number().int().min(1).max(100_000).default(50),
    /** The dashboard's search reads a number without its country code as this country's (ISO 3166 alpha-2). */
    DEFAULT_COUNTRY: optionalString.pipe(
      z.string().transform((c) => c.toUpperCase()).refine((c) => isSupportedCountry(c), "must be a two-letter country code with phone numbers, such as US or GB").optional(),
    ),
    ...whatsappEnvShape,
    ...telegramEnvShape,
    ...rcsEnvShape,
    ...simSwapEnvShape,
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === "production";
    // A claim that lapses while its vendor request is still open lets another worker claim the
    // delivery and send the same code a second time: the lease must outlast the request, with a
    // second for recording the outcome.
    if (env.WORKER_LEASE_SECONDS * 1000 < env.PROVIDER_TIMEOUT_MS + 1000) {
      ctx.addIssue({
        code: "custom", path: ["WORKER_LEASE_SECONDS"],
        message: `must be at least a second longer than PROVIDER_TIMEOUT_MS (${env.PROVIDER_TIMEOUT_MS} ms): a claim that ends while its vendor request is open lets another worker send the same code again`,
      });
    }
    if (production && !env.OTP_SECRET) {
      ctx.addIssue({ code: "custom", path: ["OTP_SECRET"], message: "is required when NODE_ENV=production" });
    }
    // A sender for SMS/voice (TWILIO_FROM), for WhatsApp (TWILIO_WHATSAPP_FROM), for RCS (TWILIO_RCS_MESSAGING_SERVICE_SID), or several.
    const twilio = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM || env.TWILIO_WHATSAPP_FROM || env.TWILIO_RCS_MESSAGING_SERVICE_SID];
    if (twilio.some(Boolean) && !twilio.every(Boolean)) {
      ctx.addIssue({ code: "custom", path: ["TWILIO_ACCOUNT_SID"], message: "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM (or TWILIO_WHATSAPP_FROM, TWILIO_RCS_MESSAGING_SERVICE_SID) go together" });
    }
    // The key/secret pair carries SMS (with VONAGE_FROM) and may carry WhatsApp instead of an application key.
    const pair = !!env.VONAGE_API_KEY && !!env.VONAGE_API_SECRET;
    if (!!env.VONAGE_API_KEY !== !!env.VONAGE_API_SECRET || (env.VONAGE_FROM && !pair) || (pair && !env.VONAGE_FROM && !env.VONAGE_WHATSAPP_FROM && !env.VONAGE_RCS_FROM)) {
      ctx.addIssue({ code: "custom", path: ["VONAGE_API_KEY"], message: "VONAGE_API_KEY, VONAGE_API_SECRET and VONAGE_FROM (or VONAGE_WHATSAPP_FROM, VONAGE_RCS_FROM) go together" });
    }
    if (production && env.VONAGE_API_KEY && !env.VONAGE_SIGNATURE_SECRET) {
      // Without it a delivery receipt is checked only against the API key, which every receipt carries in clear.
      ctx.addIssue({ code: "custom", path: ["VONAGE_SIGNATURE_SECRET"], message: "is required with Vonage when NODE_ENV=production (turn on signed webhooks at Vonage)" });
    }
    if (env.MESSAGEBIRD_ACCESS_KEY && !env.MESSAGEBIRD_ORIGINATOR) {
      ctx.addIssue({ code: "custom", path: ["MESSAGEBIRD_ORIGINATOR"], message: "is required with MESSAGEBIRD_ACCESS_KEY" });
    }
    if (!env.MESSAGEBIRD_ACCESS_KEY && (env.MESSAGEBIRD_ORIGINATOR || env.MESSAGEBIRD_SIGNING_KEY)) {
      ctx.addIssue({ code: "custom", path: ["MESSAGEBIRD_ACCESS_KEY"], message: "is required with MESSAGEBIRD_ORIGINATOR / MESSAGEBIRD_SIGNING_KEY" });
    }
    if (production && env.MESSAGEBIRD_ACCESS_KEY && !env.MESSAGEBIRD_SIGNING_KEY) {
      ctx.addIssue({ code: "custom", path: ["MESSAGEBIRD_SIGNING_KEY"], message: "is required with MessageBird when NODE_ENV=production (status reports can't be trusted without it)" });
    }
    if (snsWanted(env) && !env.AWS_REGION) {
      ctx.addIssue({ code: "custom", path: ["AWS_REGION"], message: "is required for the sns provider" });
    }
    if (!!env.AWS_ACCESS_KEY_ID !== !!env.AWS_SECRET_ACCESS_KEY) {
      ctx.addIssue({ code: "custom", path: ["AWS_SECRET_ACCESS_KEY"], message: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together" });
    }
    if (!!env.HTTP_PROVIDER_URL !== !!env.HTTP_PROVIDER_SECRET) {
      ctx.addIssue({ code: "custom", path: [env.HTTP_PROVIDER_URL ? "HTTP_PROVIDER_SECRET" : "HTTP_PROVIDER_URL"], message: "HTTP_PROVIDER_URL and HTTP_PROVIDER_SECRET go together" });
    }
    if (env.HTTP_PROVIDER_CALLBACK_SECRET && !env.HTTP_PROVIDER_URL) {
      ctx.addIssue({ code: "custom", path: ["HTTP_PROVIDER_CALLBACK_SECRET"], message: "needs HTTP_PROVIDER_URL and HTTP_PROVIDER_SECRET" });
    }
    for (const p of whatsappEnvProblems(env)) ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
    for (const p of telegramEnvProblems(env)) ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
    for (const p of rcsEnvProblems(env)) ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
    for (const p of simSwapEnvProblems(env)) ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
    if (env.DELIVERY_RETRY_MAX_MS < env.DELIVERY_RETRY_BASE_MS) {
      ctx.addIssue({ code: "custom", path: ["DELIVERY_RETRY_MAX_MS"], message: "must not be below DELIVERY_RETRY_BASE_MS" });
    }
    if (env.WEBHOOK_RETRY_MAX_MS < env.WEBHOOK_RETRY_BASE_MS) {
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_RETRY_MAX_MS"], message: "must not be below WEBHOOK_RETRY_BASE_MS" });
    }
    if (env.WEBHOOK_LEASE_SECONDS * 1000 <= env.WEBHOOK_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_LEASE_SECONDS"], message: "must be longer than WEBHOOK_TIMEOUT_MS" });
    }
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: "must differ from PORT (unset it to serve /metrics on PORT)" });
    }
    const trustProxy = env.TRUST_PROXY && trustProxyProblem(env.TRUST_PROXY);
    if (trustProxy) ctx.addIssue({ code: "custom", path: ["TRUST_PROXY"], message: trustProxy });
    if (production && !env.PUBLIC_URL) {
      ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "is required when NODE_ENV=production (the https:// address clients and providers reach the gateway at)" });
    } else if (production && !env.PUBLIC_URL!.startsWith("https://")) {
      ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "must be an https:// URL when NODE_ENV=production (tokens name it as their issuer; providers call back on it; session cookies are Secure)" });
    }
    if (env.SMTP_URL && !env.MAIL_FROM) {
      ctx.addIssue({ code: "custom", path: ["MAIL_FROM"], message: "is required with SMTP_URL" });
    }
  });

export type Env = z.output<typeof envSchema>;

/**
 * SNS is on when an SNS variable is set or a channel names `sns`. AWS_REGION alone is not
 * enough: AWS sets it in every Lambda and ECS task, where it must not start sending SMS.
 */
export function snsWanted(env: Pick<Env, "AWS_SNS_ENDPOINT" | "AWS_SNS_SENDER_ID" | "SMS_PROVIDERS" | "VOICE_PROVIDERS" | "EMAIL_PROVIDERS">): boolean {
  const named = [env.SMS_PROVIDERS, env.VOICE_PROVIDERS, env.EMAIL_PROVIDERS].some((l) => l?.includes("sns"));
  return !!(env.AWS_SNS_ENDPOINT || env.AWS_SNS_SENDER_ID || named);
}
