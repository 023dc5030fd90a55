import type { Channel } from "../verification/enums";
import { EMPTY_PRICE_TABLE, loadPriceTable, type PriceTable } from "../prices/price-table";
import { PROVIDER_NAMES, envSchema, snsWanted, type Env } from "./env";
import type { SenderList } from "./senders";
import { whatsappConfig, type WhatsAppConfig } from "./whatsapp-config";
import { telegramConfig, type TelegramConfig } from "./telegram-config";
import { rcsConfig, type RcsConfig } from "./rcs-config";
import { simSwapConfig, type SimSwapConfig } from "./sim-swap-env";

export type { TwilioWhatsAppConfig, VonageWhatsAppConfig, WhatsAppConfig } from "./whatsapp-config";
export type { TelegramConfig } from "./telegram-config";
export type { RcsConfig, TwilioRcsConfig, VonageRcsConfig } from "./rcs-config";

export type Role = "all" | "api" | "worker";

/** `from`: the sender per destination country (one sender is a list with a single `*` rule). */
export interface TwilioConfig { accountSid: string; authToken: string; from: SenderList; apiBaseUrl?: string }
export type VonageSignatureMethod = Env["VONAGE_SIGNATURE_METHOD"];
export interface VonageConfig {
  apiKey: string; apiSecret: string; from: SenderList; apiBaseUrl?: string; signatureSecret?: string; signatureMethod: VonageSignatureMethod;
  /** VONAGE_PRICE_CURRENCY: the account's billing currency, which the SMS API's prices don't name (default EUR). */
  priceCurrency?: string;
}
/** AWS SNS: explicit keys only when the environment names them; otherwise the SDK's own chain (profile, container, instance role). */
export interface SnsConfig {
  region: string;
  endpoint?: string;
  senderId?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}
/** MessageBird's REST API; `signingKey` checks its signed status reports (without it none is accepted). */
export interface MessageBirdConfig { accessKey: string; originator: SenderList; apiBaseUrl: string; signingKey?: string }
/**
 * "Bring your own vendor": rendered messages POSTed as signed JSON (Standard Webhooks) with
 * `secret`; its status reports checked with `callbackSecret` (HTTP_PROVIDER_CALLBACK_SECRET,
 * by default the same secret): with two, a leak of one side's secret can't forge the other's.
 */
export interface HttpProviderConfig { url: string; secret: string; callbackSecret: string; channels: Channel[] }
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export type ChannelName = "SMS" | "VOICE" | "EMAIL" | "WHATSAPP" | "TELEGRAM" | "RCS";

/** How deliveries are sent: vendor order per channel, retry timings, circuit breaker thresholds. */
export interface DeliveryConfig {
  /** Explicit failover order per channel (SMS_PROVIDERS, ...); a channel left out gets every configured vendor. */
  providerOrder: Partial<Record<ChannelName, ProviderName[]>>;
  providerTimeoutMs: number;
  /** Status callbacks for messages not (yet) known, kept at most (UNMATCHED_CALLBACKS_MAX). */
  unmatchedCallbacksMax: number;
  retry: { attemptsPerProvider: number; baseDelayMs: number; maxDelayMs: number };
  breaker: { consecutiveFailures: number; failureRatio: number; window: number; halfOpenAfterMs: number };
}
export interface SmtpConfig { url: string; from: string }

/** Everything the gateway needs, typed. Built from the environment by loadConfig, or directly by tests. */
export interface Config {
  production: boolean;
  port: number;
  host: string;
  publicUrl: string;
  /** JWKS_MAX_AGE_SECONDS: how long verifiers may cache /.well-known/jwks.json (tokens/token-signer.ts). */
  jwksMaxAgeSeconds: number;
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix: string;
  /** Undefined only before resolveSecret() filled it from the data directory. */
  otpSecret?: string;
  dataDir: string;
  /** As root: the embedded cluster's home when the postgres user can't reach dataDir. */
  embeddedPgSystemDir: string;
  twilio?: TwilioConfig;
  vonage?: VonageConfig;
  smtp?: SmtpConfig;
  httpProvider?: HttpProviderConfig;
  /** WhatsApp senders per vendor (Twilio's and Vonage's Messages APIs); empty when none is configured. */
  whatsapp: WhatsAppConfig;
  /** RCS senders per vendor (Twilio's Messaging Service, Vonage's Messages API); empty when none is configured. */
  rcs: RcsConfig;
  sns?: SnsConfig;
  messagebird?: MessageBirdConfig;
  /** Telegram's Gateway API (TELEGRAM_GATEWAY_*), the TELEGRAM channel's vendor. */
  telegram?: TelegramConfig;
  trustProxy?: string;
  outboxInProduction: boolean;
  /** OUTBOX_DELIVERY_DELAY_MS: after how long the outbox reports its messages delivered; null: never (providers/outbox/outbox-phone.ts). */
  outboxDeliveryDelayMs: number | null;
  /** SINGLE_PROCESS: the operator declares this the only gateway process, so production may run without Redis. */
  singleProcess: boolean;
  /** Test destinations take effect: always outside production, in production only with ALLOW_TEST_DESTINATIONS=true. */
  allowTestDestinations: boolean;
  /** GraphQL document limits (GRAPHQL_MAX_*), applied over HTTP and WebSocket. */
  graphqlLimits: { maxAliases: number; maxDepth: number; maxTokens: number; maxCost: number; maxDirectives: number };
  logLevel: Env["LOG_LEVEL"];
  worker: { concurrency: number; leaseSeconds: number; pollMs: number };
  /** WORKER_THREAD: where `serve` runs its worker (see workerPlacement). */
  workerThread: "auto" | "thread" | "inline";
  shutdownGraceMs: number;
  delivery: DeliveryConfig;
  /** Deletion of old rows by the worker role (RETENTION_*). */
  retention: { days: number; batchSize: number; intervalSeconds: number };
  /** PRICE_TABLE: what a delivery costs when its vendor doesn't say (empty without the variable). */
  priceTable: PriceTable;
  /** METRICS_PORT: /metrics is served there (on HOST) instead of on PORT. */
  metricsPort?: number;
  /** METRICS_TOKEN: /metrics on PORT answers a request bearing it (in production, nothing else). */
  metricsToken?: string;
  /** The support dashboard: session lifetimes, TOTP policy, login limits (per 15 minutes). */
  admin: AdminConfig;
  webhooks: WebhookConfig;
  /** The CAMARA SIM Swap service (SIM_SWAP_*); absent: apps' simSwap settings are kept but no check runs (risk/sim-swap-gate.ts). */
  simSwap?: SimSwapConfig;
}

/** Outbound webhooks: who may be called, and the worker's own concurrency, timeouts and retry schedule. */
export interface WebhookConfig {
  /** https only, and no private or loopback targets (SSRF), unless allowPrivateTargets. */
  requireHttps: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS, or outside production: receivers on loopback and private networks. */
  allowPrivateTargets: boolean;
  concurrency: number;
  timeoutMs: number;
  leaseSeconds: number;
  pollMs: number;
  /** Exponential backoff with jitter from baseDelayMs up to maxDelayMs, for windowMs after the event; then failed. */
  retry: { baseDelayMs: number; maxDelayMs: number; windowMs: number };
}

export interface AdminConfig {
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  /** ADMIN_REQUIRE_TOTP (default: on in production): every staff member, ADMIN and SUPPORT alike, signs in with a TOTP second factor. */
  requireTotp: boolean;
  loginMaxPerEmail: number;
  loginMaxPerIp: number;
  /** Cookies get `Secure` when the gateway is reached over HTTPS (PUBLIC_URL). */
  secureCookies: boolean;
  /** DEFAULT_COUNTRY: the country of numbers typed into the dashboard's search without a country code (else read from the traffic). */
  defaultCountry?: string;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/**
 * What only the role decides. In production a process without Redis counts rate limits in its
 * own memory — per process, forgotten on restart — and its delivery events reach no other
 * process's subscriptions. That is acceptable only for the one process doing everything (role
 * all), when the operator says it is alone (SINGLE_PROCESS=true). A process of one role never
 * is: an API needs a worker beside it to send, and a worker without Redis would count the send
 * limits that charge fallback deliveries apart from the API processes' counts. So SINGLE_PROCESS
 * with --role api or worker is a contradiction, refused in every mode (a mistake caught before
 * production), and either role without REDIS_URL is refused in production.
 */
export function checkRoleConfig(config: Config, role: Role): void {
  if (config.singleProcess && role !== "all") {
    throw new ConfigError([
      `SINGLE_PROCESS=true says this is the only gateway process, but --role ${role} is one part of the gateway and needs ${role === "api" ? "a worker" : "an API"} process beside it: run serve without --role, or unset SINGLE_PROCESS and set REDIS_URL`,
    ]);
  }
  if (!config.production || config.redisUrl || config.singleProcess) return;
  throw new ConfigError([
    role === "all"
      ? `REDIS_URL is required when NODE_ENV=production for --role all: without it rate limits are counted in each process's memory and forgotten on restart. Set SINGLE_PROCESS=true to run one process without Redis`
      : role === "api"
        ? `REDIS_URL is required when NODE_ENV=production for --role api: without it rate limits are counted in each process's memory and forgotten on restart, and the workers' delivery events never reach its subscriptions (SINGLE_PROCESS does not apply: an API process runs beside workers)`
        : `REDIS_URL is required when NODE_ENV=production for --role worker: without it the send limits charged for fallback deliveries are counted in this process's memory, apart from the API processes', and its delivery events never reach their subscriptions (SINGLE_PROCESS does not apply: a worker runs beside API processes)`,
  ]);
}

/**
 * Where `serve --role all` runs its delivery worker. A thread gives the worker the machine's
 * other core; it needs Redis, because without it the rate limits and delivery events live in
 * one event loop's memory (a worker thread's fallback sends would be counted apart, and its
 * events would never reach the API's subscribers).
 */
export function workerPlacement(config: Config, role: Role): "thread" | "inline" | "none" {
  if (role !== "all") return "none";
  if (config.workerThread === "thread" && !config.redisUrl) {
    throw new ConfigError(["WORKER_THREAD=thread needs REDIS_URL: without Redis, limits and delivery events live in one event loop (use WORKER_THREAD=inline or auto)"]);
  }
  if (config.workerThread === "inline") return "inline";
  return config.redisUrl ? "thread" : "inline";
}

/** A PRICE_TABLE that can't be read or has a bad entry stops the start-up (exit 2), every problem listed. */
function priceTableOf(path: string | undefined): PriceTable {
  if (!path) return EMPTY_PRICE_TABLE;
  const { table, problems } = loadPriceTable(path);
  if (problems.length) throw new ConfigError(problems);
  return table;
}

/** Parses and validates the environment. Messages name the variable, never its value. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`));
  }
  const env = parsed.data;
  const production = env.NODE_ENV === "production";
  const config: Config = {
    production,
    port: env.PORT,
    host: env.HOST,
    publicUrl: (env.PUBLIC_URL ?? `http://${env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST}:${env.PORT}`).replace(/\/$/, ""),
    jwksMaxAgeSeconds: env.JWKS_MAX_AGE_SECONDS,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    otpSecret: env.OTP_SECRET,
    dataDir: env.DATA_DIR,
    embeddedPgSystemDir: env.EMBEDDED_PG_SYSTEM_DIR,
    twilio: env.TWILIO_ACCOUNT_SID && env.TWILIO_FROM
      ? { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN!, from: env.TWILIO_FROM!, apiBaseUrl: env.TWILIO_API_BASE_URL }
      : undefined,
    vonage: env.VONAGE_API_KEY && env.VONAGE_FROM
      ? {
          apiKey: env.VONAGE_API_KEY, apiSecret: env.VONAGE_API_SECRET!, from: env.VONAGE_FROM!, apiBaseUrl: env.VONAGE_API_BASE_URL,
          signatureSecret: env.VONAGE_SIGNATURE_SECRET, signatureMethod: env.VONAGE_SIGNATURE_METHOD, priceCurrency: env.VONAGE_PRICE_CURRENCY,
        }
      : undefined,
    smtp: env.SMTP_URL ? { url: env.SMTP_URL, from: env.MAIL_FROM! } : undefined,
    sns: snsWanted(env)
      ? {
          region: env.AWS_REGION!, endpoint: env.AWS_SNS_ENDPOINT, senderId: env.AWS_SNS_SENDER_ID,
          ...(env.AWS_ACCESS_KEY_ID && {
            credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }) },
          }),
        }
      : undefined,
    messagebird: env.MESSAGEBIRD_ACCESS_KEY
      ? {
          accessKey: env.MESSAGEBIRD_ACCESS_KEY, originator: env.MESSAGEBIRD_ORIGINATOR!, signingKey: env.MESSAGEBIRD_SIGNING_KEY,
          apiBaseUrl: (env.MESSAGEBIRD_API_BASE_URL ?? "https://rest.messagebird.com").replace(/\/$/, ""),
        }
      : undefined,
    httpProvider: env.HTTP_PROVIDER_URL
      ? { url: env.HTTP_PROVIDER_URL, secret: env.HTTP_PROVIDER_SECRET!, callbackSecret: env.HTTP_PROVIDER_CALLBACK_SECRET ?? env.HTTP_PROVIDER_SECRET!, channels: env.HTTP_PROVIDER_CHANNELS }
      : undefined,
    whatsapp: whatsappConfig(env),
    telegram: telegramConfig(env),
    rcs: rcsConfig(env),
    simSwap: simSwapConfig(env),
    trustProxy: env.TRUST_PROXY,
    outboxInProduction: env.OUTBOX_IN_PRODUCTION,
    // In production the outbox holds real users' codes (OUTBOX_IN_PRODUCTION): it would be a lie to say they arrived.
    outboxDeliveryDelayMs: env.OUTBOX_DELIVERY_DELAY_MS === "off" ? null : env.OUTBOX_DELIVERY_DELAY_MS ?? (production ? null : 1500),
    singleProcess: env.SINGLE_PROCESS,
    allowTestDestinations: !production || env.ALLOW_TEST_DESTINATIONS,
    graphqlLimits: {
      maxAliases: env.GRAPHQL_MAX_ALIASES, maxDepth: env.GRAPHQL_MAX_DEPTH, maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxCost: env.GRAPHQL_MAX_COST, maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    },
    logLevel: env.LOG_LEVEL,
    worker: { concurrency: env.WORKER_CONCURRENCY, leaseSeconds: env.WORKER_LEASE_SECONDS, pollMs: env.WORKER_POLL_MS },
    workerThread: env.WORKER_THREAD,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    delivery: {
      providerOrder: {
        ...(env.SMS_PROVIDERS && { SMS: env.SMS_PROVIDERS }),
        ...(env.VOICE_PROVIDERS && { VOICE: env.VOICE_PROVIDERS }),
        ...(env.EMAIL_PROVIDERS && { EMAIL: env.EMAIL_PROVIDERS }),
        ...(env.WHATSAPP_PROVIDERS && { WHATSAPP: env.WHATSAPP_PROVIDERS }),
        ...(env.TELEGRAM_PROVIDERS && { TELEGRAM: env.TELEGRAM_PROVIDERS }),
        ...(env.RCS_PROVIDERS && { RCS: env.RCS_PROVIDERS }),
      },
      providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
      unmatchedCallbacksMax: env.UNMATCHED_CALLBACKS_MAX,
      retry: { attemptsPerProvider: env.DELIVERY_ATTEMPTS_PER_PROVIDER, baseDelayMs: env.DELIVERY_RETRY_BASE_MS, maxDelayMs: env.DELIVERY_RETRY_MAX_MS },
      breaker: {
        consecutiveFailures: env.CIRCUIT_CONSECUTIVE_FAILURES, failureRatio: env.CIRCUIT_FAILURE_RATIO,
        window: env.CIRCUIT_WINDOW, halfOpenAfterMs: env.CIRCUIT_HALF_OPEN_AFTER_MS,
      },
    },
    retention: { days: env.RETENTION_DAYS, batchSize: env.RETENTION_BATCH_SIZE, intervalSeconds: env.RETENTION_INTERVAL_SECONDS },
    priceTable: priceTableOf(env.PRICE_TABLE),
    metricsPort: env.METRICS_PORT,
    metricsToken: env.METRICS_TOKEN,
    admin: {
      sessionIdleSeconds: env.ADMIN_SESSION_IDLE_SECONDS,
      sessionMaxSeconds: env.ADMIN_SESSION_MAX_SECONDS,
      requireTotp: env.ADMIN_REQUIRE_TOTP ?? production,
      loginMaxPerEmail: env.ADMIN_LOGIN_MAX_PER_EMAIL,
      loginMaxPerIp: env.ADMIN_LOGIN_MAX_PER_IP,
      secureCookies: (env.PUBLIC_URL ?? "").startsWith("https:"),
      defaultCountry: env.DEFAULT_COUNTRY,
    },
    webhooks: {
      requireHttps: production,
      allowPrivateTargets: !production || env.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      concurrency: env.WEBHOOK_CONCURRENCY, timeoutMs: env.WEBHOOK_TIMEOUT_MS, leaseSeconds: env.WEBHOOK_LEASE_SECONDS, pollMs: env.WEBHOOK_POLL_MS,
      retry: { baseDelayMs: env.WEBHOOK_RETRY_BASE_MS, maxDelayMs: env.WEBHOOK_RETRY_MAX_MS, windowMs: env.WEBHOOK_RETRY_WINDOW_SECONDS * 1000 },
    },
  };
  return config;
}
