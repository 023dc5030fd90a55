import "reflect-metadata";
import { hostname } from "node:os";
import Fastify from "fastify";
import formbody from "@fastify/formbody";
import type { DestinationStream, Logger } from "pino";
import type { registerAdmin } from "./admin/register-admin";
import { AppService } from "./apps/app-service";
import { ApiKeyCache } from "./apps/key-cache";
import { channelStrategies } from "./channels";
import { checkRoleConfig, ConfigError, type Config, type Role } from "./config/config";
import { resolveSecret } from "./config/secret";
import { deriveKeys } from "./crypto/secret-keys";
import { openDatabase, type OpenDatabase } from "./db/open-database";
import { DeliveryEvents } from "./delivery/delivery-events";
import { DeliveryStore } from "./delivery/delivery-store";
import { Dispatcher } from "./delivery/dispatcher";
import { Fallback } from "./delivery/fallback";
import type { RetryOptions } from "./delivery/retry-policy";
import { StatusCallbacks } from "./delivery/status-callbacks";
import { registerDeliveryWebhooks } from "./delivery/webhooks";
import { DeliveryWorker } from "./delivery/worker";
import { StepStore } from "./workflow/step-store";
import { Workflow } from "./workflow/workflow";
import { MemoryEventBus, type EventBus } from "./events/event-bus";
import { RedisEventBus } from "./events/redis-event-bus";
import { registerHealthRoutes, serveMetrics } from "./http/health-routes";
import { metricsOnPort } from "./http/metrics-access";
import { reportOutOfBoundsApps } from "./apps/nist-bounds";
import { registerHttpErrors } from "./http/http-errors";
import type { attachSubscriptions } from "./http/subscriptions";
import { clientIpResolver, parseTrustProxy } from "./http/trust-proxy";
import { createLogger } from "./observability/logger";
import { countHttpRequests } from "./observability/http-metrics";
import { Metrics } from "./observability/metrics";
import { RetentionJob } from "./retention/retention-job";
import { AttemptService } from "./attempts/attempt-service";
import { echoRequestId, requestIdFor } from "./observability/request-id";
import { registerProviderHealthGauge } from "./observability/provider-metrics";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import { buildRegistry } from "./providers/build-registry";
import { OutboxPhone } from "./providers/outbox/outbox-phone";
import { GuardedProvider } from "./providers/circuit-breaker";
import type { BreakerOptions, ProviderHealth } from "./providers/circuit-breaker";
import { ProviderError, type Provider } from "./providers/provider";
import { PumpingGuard } from "./protection/pumping-guard";
import { ClientIpHint } from "./protection/client-ip-hint";
import type { ProtectionClock } from "./protection/clock";
import { TestDestinations } from "./protection/test-destinations";
import { TestDestinationProvider } from "./providers/test-destination/test-destination-provider";
import { BlockService } from "./protection/block-service";
import { BlockStore } from "./protection/block-store";
import { RateLimits } from "./protection/rate-limits";
import { LimitWriteRetry } from "./protection/limit-write-retry";
import { SendPolicy } from "./protection/send-policy";
import { VerifyPolicy } from "./protection/verify-policy";
import { connectRedis, type RedisClient } from "./redis";
import type { Services } from "./services";
import { SIGNING_KEYS_CHANNEL, TokenSigner } from "./tokens/token-signer";
import { PgListener } from "./db/pg-listener";
import type { Clock } from "./totp/totp-codes";
import { TotpPolicy } from "./totp/totp-policy";
import { TotpService } from "./totp/totp-service";
import { TotpStore } from "./totp/totp-store";
import { TotpVerifier } from "./totp/totp-verifier";
import { VerificationService } from "./verification/verification-service";
import { VerifyService } from "./verification/verify-service";
import { buildSimSwapGate, reportSimSwapSetup } from "./risk/sim-swap-setup";
import { WebhookEndpointStore } from "./webhooks/endpoint-store";
import { WebhookMessageStore } from "./webhooks/message-store";
import { WebhookMetrics } from "./webhooks/webhook-metrics";
import { WebhookWorker } from "./webhooks/webhook-worker";
import { recordPause } from "./webhooks/endpoint-pause";

/** The largest request body any route reads (GraphQL documents, vendor callbacks). */
const BODY_LIMIT = 64 * 1024;

/** What tests and the CLI may swap: vendors (inject a test provider, never a NODE_ENV branch), logs, timings. */
export interface AppOptions {
  role?: Role;
  providers?: Provider[];
  logStream?: DestinationStream;
  /** Retry timings and circuit breaker thresholds; default to the configuration's (DELIVERY_*, CIRCUIT_*). */
  retry?: RetryOptions;
  breaker?: BreakerOptions;
  workerId?: string;
  /** The time TOTP codes are checked against (default Date.now): tests step it instead of waiting 30 s. */
  clock?: Clock;
  /**
   * The clock the protection budgets are kept by (protection/clock.ts): the wall clock, or the
   * traffic simulator's faster one.
   */
  protectionClock?: ProtectionClock;
  /**
   * Multiplies every workflow step's afterSeconds (workflow/step-store.ts): 1 in production;
   * tests and the simulator run the contract's 15–600 s timers faster.
   */
  stepTimeScale?: number;
  /** The clock the SIM-swap service's token lifetime is kept by (default Date.now): tests step it past an expiry. */
  simSwapClock?: () => number;
  /** How long an authenticated API key is served from memory (key-cache.ts); the cache's default otherwise. */
  keyCacheTtlMs?: number;
  /**
   * This is the worker thread of a `serve` process (serve/worker-thread-entry.ts): no HTTP
   * server, no process-wide metrics (the main thread's cover the process), no migrations and
   * no role check (the main thread ran both for role all).
   */
  inWorkerThread?: boolean;
  /**
   * The main thread of a `serve` process whose worker runs in a thread (role api here, all to
   * the world): started once the HTTP server listens, stopped after it has closed and before
   * the database is; its metrics are part of /metrics and its state of /readyz.
   */
  workerThread?: WorkerThreadHandle;
}

/** What the API half of a `serve` process sees of its worker thread (serve/worker-thread.ts). */
export interface WorkerThreadHandle {
  readonly state: string;
  /** `log` is the process's logger, for the supervisor's own lines. */
  start(databaseUrl: string, log: Logger): Promise<void>;
  stop(graceMs: number): Promise<void>;
  metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
  /** The worker thread's circuit breakers as it last reported them (the dashboard shows these, not the API's). */
  readonly providerHealth?: ProviderHealth[];
}

export interface RunningApp {
  url: string;
  config: Config;
  log: Logger;
  db: OpenDatabase;
  services: Services;
  worker?: DeliveryWorker;
  webhookWorker?: WebhookWorker;
  stop(): Promise<void>;
}

/**
 * Builds one gateway process: database (embedded or DATABASE_URL, migrated), Redis (or
 * in-process stand-ins), services, the delivery worker (roles all/worker) and the HTTP server
 * (GraphQL + WebSocket for roles all/api; health and metrics for every role).
 */
export async function createApp(config: Config, options: AppOptions = {}): Promise<RunningApp> {
  const role = options.role ?? "all";
  /** What the process is to the world: a `serve` whose worker runs on its thread is role all, its main thread role api. */
  const processRole = options.workerThread ? "all" : role;
  if (!options.inWorkerThread) checkRoleConfig(config, processRole);
  const log = createLogger(config.logLevel, options.logStream);
  const keys = deriveKeys(resolveSecret(config));
  const db = await openDatabase(config, log, { migrate: !options.inWorkerThread });
  const cleanups: Array<() => Promise<unknown>> = [() => db.close()];
  try {
    const ds = db.ds;
    let redis: RedisClient | undefined;
    let bus: EventBus;
    if (config.redisUrl) {
      redis = await connectRedis(config.redisUrl, log);
      cleanups.unshift(() => redis!.quit().catch(() => undefined));
      bus = await RedisEventBus.connect(redis, config.redisPrefix, log);
    } else {
      bus = new MemoryEventBus();
    }
    cleanups.unshift(() => bus.close());

    // Production runs apps saved outside NIST's bounds clamped to them: say which, once per process.
    if (config.production && !options.inWorkerThread) await reportOutOfBoundsApps(ds, log);
    // The development outbox plays the phone (DELIVERED after OUTBOX_DELIVERY_DELAY_MS) through the vendor-callback path, wired below.
    const outboxPhone = new OutboxPhone(ds, config.outboxDeliveryDelayMs, log.child({ component: "outbox" }));
    const registry = buildRegistry(config, ds, log, options.providers, options.breaker ?? config.delivery.breaker, outboxPhone);
    cleanups.push(async () => { for (const p of registry.all()) await p.close?.(); });
    await verifyProviders(registry.all(), log);
    const metrics = new Metrics(ds, { processMetrics: !options.inWorkerThread });
    if (options.workerThread) {
      metrics.addSource(() => options.workerThread!.metrics());
      registry.healthSource = () => options.workerThread!.providerHealth;
    }
    // Circuit state is a sender's: an API-only process never sends, its breakers say nothing.
    if (role !== "api") registerProviderHealthGauge(metrics.registry, registry);
    const blocks = new BlockStore(ds, keys.lookup);
    const testDestinations = new TestDestinations(config.allowTestDestinations);
    const limits = new RateLimits(redis, config.redisPrefix, blocks, log);
    limits.onRefusal = (rule) => metrics.limitRefusals.inc({ rule });
    // Limit writes after a committed outcome (penalties, approvals): retried, never lost to a blip.
    const limitWrites = new LimitWriteRetry(log.child({ component: "limit-writes" }));
    limitWrites.onOutcome = (outcome) => metrics.limitWritesDeferred.inc({ outcome });
    metrics.watchLimitWrites(limitWrites);
    cleanups.unshift(() => limitWrites.drain());
    const pumping = new PumpingGuard(ds, limits, blocks, log.child({ component: "pumping-guard" }), limitWrites, options.protectionClock);
    const deliveryEvents = new DeliveryEvents(bus);
    // One send policy for requests, resends and fallbacks: a fallback is a paid send too.
    const sendPolicy = new SendPolicy(limits, registry, pumping);
    const clientIpHint = new ClientIpHint(log.child({ component: "client-ip" }));
    const processId = options.workerId ?? `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
    const workerWake = { wake: () => undefined as void };
    // The SIM-swap check of requests, resends and workflow steps: one gate (and one cached token) per process.
    const simSwap = buildSimSwapGate(config.simSwap, log.child({ component: "sim-swap" }), (result, action, seconds) => {
      metrics.simSwapChecks.inc({ result, action });
      metrics.simSwapLatency.observe({ result }, seconds);
    }, options.simSwapClock);
    // Workflow steps (`next`): timers as rows, started by whichever process's poll finds them due.
    const workflow = new Workflow(ds, new StepStore(ds, options.stepTimeScale ?? 1), registry, sendPolicy, deliveryEvents, log.child({ component: "workflow" }), {
      workerId: processId, leaseSeconds: config.worker.leaseSeconds, notifyWorkers: !redis, wakeWorker: () => workerWake.wake(),
    }, testDestinations, { gate: simSwap, blocks });
    cleanups.unshift(() => workflow.stop());
    const fallback = new Fallback(ds, registry, deliveryEvents, log.child({ component: "fallback" }), !redis, sendPolicy, workflow);
    const statusCallbacks = new StatusCallbacks(ds, deliveryEvents, fallback, log.child({ component: "status-callbacks" }), config.delivery.unmatchedCallbacksMax);
    statusCallbacks.onUnmatched = (provider, outcome) => metrics.unmatchedCallbacks.inc({ provider, outcome });
    if (role !== "api") outboxPhone.report = (r) => statusCallbacks.apply(r);
    const tokens = new TokenSigner(ds, keys.keyWrap, config.publicUrl, config.jwksMaxAgeSeconds);
    await tokens.init();
    if (role !== "worker") {
      // `keys rotate` from the CLI or another process: reread the keys now rather than at the next refresh.
      const keyChanges = new PgListener(db.url, SIGNING_KEYS_CHANNEL, () => tokens.invalidate(), log.child({ component: "token-signer" }));
      await keyChanges.start();
      cleanups.unshift(() => keyChanges.stop());
    }
    const totpStore = new TotpStore(ds);

    const webhookEndpoints = new WebhookEndpointStore(ds, keys.webhookSecret, config.webhooks);
    const webhookMessages = new WebhookMessageStore(ds);
    let worker: DeliveryWorker | undefined;
    let webhookWorker: WebhookWorker | undefined;
    if (role !== "api") {
      const workerId = processId;
      const store = new DeliveryStore(ds, config.production);
      const dispatcher = new Dispatcher(store, registry, channelStrategies(), keys, deliveryEvents, log.child({ component: "dispatcher" }), workerId,
        options.retry ?? config.delivery.retry, {
          onAttempt: (provider, channel, outcome, latencyMs, country) => {
            metrics.deliveryAttempts.inc({ provider, channel, country: country ?? "none", outcome });
            if (outcome === "SENT") metrics.sendLatency.observe({ provider, channel }, latencyMs / 1000);
          },
          onDispatch: (c) => {
            const waitedMs = Date.now() - new Date(c.delivery.next_attempt_at).getTime();
            metrics.queueDelay.observe({ channel: c.delivery.channel }, Math.max(0, waitedMs) / 1000);
          },
        }, { fallback, callbacks: statusCallbacks, workflow, testDestinations: new TestDestinationProvider(testDestinations, (r) => statusCallbacks.apply(r)), prices: config.priceTable });
      worker = new DeliveryWorker(store, dispatcher, db.url, log.child({ component: "worker" }), {
        ...config.worker, workerId,
        // The worker listens for QUEUED only (its wake-up): its bus then decodes no message of just SENDING and SENT events.
        events: { published: (row) => deliveryEvents.published(row), subscribeAll: (wake) => deliveryEvents.subscribeStatus("QUEUED", wake) },
        onPoll: () => void workflow.tick(),
        sweep: async () => {
          await workflow.sweep();
          await statusCallbacks.sweep();
          await outboxPhone.sweep();
          await totpStore.sweepExpired();
        },
      });
      webhookWorker = new WebhookWorker(webhookMessages, db.url, log.child({ component: "webhooks" }), {
        config: config.webhooks, workerId, metrics: new WebhookMetrics(metrics.registry, ds),
        openSecret: (id, cipher) => webhookEndpoints.openSecret(id, cipher),
        onPaused: (m, failures) => recordPause(blocks, m, failures),
      });
    }
    const wake = worker ? () => worker!.wake() : () => undefined;
    workerWake.wake = wake;
    let keyCache: ApiKeyCache | undefined;
    if (role !== "worker") {
      keyCache = new ApiKeyCache(db.url, log.child({ component: "key-cache" }), options.keyCacheTtlMs);
      await keyCache.start();
      cleanups.unshift(() => keyCache!.stop());
    }
    const verifyPolicy = new VerifyPolicy(limits, limitWrites);
    // The setup is said once, by an API process (requests and resends are checked there; a workflow step where the worker starts it).
    if (role !== "worker" && !options.inWorkerThread) await reportSimSwapSetup(ds, config.simSwap, log.child({ component: "sim-swap" }));
    const services: Services = {
      apps: new AppService(ds, { allowTestDestinations: config.allowTestDestinations, production: config.production }, keyCache),
      verifications: new VerificationService(ds, keys, registry, sendPolicy, blocks, deliveryEvents, wake, testDestinations, !redis, clientIpHint, simSwap),
      verify: new VerifyService(ds, keys, tokens, verifyPolicy, pumping),
      blockService: new BlockService(ds, blocks, limits, log, pumping),
      totp: new TotpService(totpStore, keys.totpSecret),
      totpVerifier: new TotpVerifier(ds, totpStore, keys.totpSecret, tokens, new TotpPolicy(limits, limitWrites), verifyPolicy, options.clock),
      totpStore,
      attempts: new AttemptService(ds, config.retention.days),
      deliveryEvents, tokens, blocks, limits, registry, metrics, webhookEndpoints, webhookMessages,
    };

    const fastify = Fastify({ bodyLimit: BODY_LIMIT, trustProxy: parseTrustProxy(config.trustProxy) as boolean | string[], logger: false, genReqId: requestIdFor });
    registerHttpErrors(fastify, log, BODY_LIMIT);
    await fastify.register(formbody);
    echoRequestId(fastify);
    countHttpRequests(fastify, metrics);
    registerHealthRoutes(fastify, ds, redis, metrics, processRole, metricsOnPort(config), options.workerThread);
    let subscriptions: ReturnType<typeof attachSubscriptions> | undefined;
    let dashboard: Awaited<ReturnType<typeof registerAdmin>> | undefined;
    if (role !== "worker") {
      // Loaded here rather than at the top: a worker (a worker-role process, a `serve`'s worker thread)
      // then never loads GraphQL's schema, Apollo, graphql-ws or the dashboard (fewer modules and less heap).
      const { buildClientSchema } = await import("./graphql/schema.js");
      const { registerGraphql } = await import("./http/graphql-route.js");
      const { attachSubscriptions } = await import("./http/subscriptions.js");
      const { registerAdmin } = await import("./admin/register-admin.js");
      const schema = await buildClientSchema();
      const apollo = await registerGraphql(fastify, schema, services, log, config.production, config.graphqlLimits);
      cleanups.unshift(() => apollo.stop());
      fastify.get("/.well-known/jwks.json", async (_req, reply) => {
        reply.header("cache-control", `public, max-age=${config.jwksMaxAgeSeconds}`);
        return services.tokens.jwks();
      });
      registerDeliveryWebhooks(fastify, config, statusCallbacks, log);
      subscriptions = attachSubscriptions(fastify.server, schema, services, log, clientIpResolver(config.trustProxy), config.production, config.graphqlLimits);
      dashboard = await registerAdmin(fastify, { config, ds, services, keys, log, clientIp: clientIpResolver(config.trustProxy) });
    }
    let url = "";
    if (!options.inWorkerThread) {
      await fastify.listen({ port: config.port, host: config.host });
      const address = fastify.server.address() as { port: number };
      url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${address.port}`;
    }
    await worker?.start();
    // Reports a stopped process left due (its timers died with it), without waiting for the first sweep.
    if (worker) void outboxPhone.sweep();
    if (options.workerThread) {
      // Stopped (drained) after the HTTP server has closed and before the database closes.
      cleanups.unshift(() => options.workerThread!.stop(config.shutdownGraceMs));
      await options.workerThread.start(db.url, log.child({ component: "worker-thread" }));
    }
    // Deleting old rows is the worker role's housekeeping, like the delivery sweep.
    const retention = role !== "api" ? new RetentionJob(ds, config.retention, log.child({ component: "retention" })) : undefined;
    if (retention) {
      retention.onDeleted = (counts) => {
        for (const [table, n] of Object.entries(counts)) metrics.retentionDeleted.inc({ table }, n);
        metrics.retentionLastRun.set(Date.now() / 1000);
      };
      retention.start();
      cleanups.unshift(() => retention.stop());
    }
    if (config.metricsPort && !options.inWorkerThread) {
      const metricsServer = await serveMetrics(config.metricsPort, config.host, metrics);
      cleanups.unshift(() => metricsServer.close());
    }
    await webhookWorker?.start();
    if (options.inWorkerThread) log.info({ role, providers: registry.all().map((p) => p.name) }, "otp-gateway worker thread started");
    else log.info({ url, role: processRole, workerThread: Boolean(options.workerThread), providers: registry.all().map((p) => p.name) }, "otp-gateway listening");

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info("shutting down");
        await subscriptions?.close();
        await dashboard?.close();
        await fastify.close();
        await Promise.all([worker?.stop(config.shutdownGraceMs), webhookWorker?.stop(config.shutdownGraceMs)]);
        for (const c of cleanups) await c().catch((err) => log.warn({ err }, "cleanup failed"));
        log.info("stopped");
        log.flush?.();
      })());
    return { url, config, log, db, services, worker, webhookWorker, stop };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}

/**
 * Checks every provider's credentials before serving: refused credentials stop the start-up
 * as a configuration error (exit 2; the message names the variable, never its value) — a
 * misconfiguration should fail here, not at the first code. A vendor that can't be reached
 * right now doesn't: it starts with its circuit open, so the first codes go to the next
 * provider at once, and the breaker's half-open probe finds out when the vendor is back.
 */
async function verifyProviders(providers: Provider[], log: Logger): Promise<void> {
  for (const p of providers) {
    try {
      await p.verify?.();
    } catch (err) {
      if (err instanceof ProviderError && err.kind !== "transient") {
        // Refused credentials are a configuration error (exit 2), naming the variables to fix, never their values
        // (a provider of several parts names them in its message: CombinedProvider).
        throw new ConfigError([p.credentialVariables?.length ? `${p.credentialVariables.join(" / ")}: ${err.message}` : err.message]);
      }
      if (!(err instanceof ProviderError && err.kind === "transient")) throw err;
      log.warn({ provider: p.name, errorCode: err.code, err: err.message }, "provider unreachable at start-up; starting anyway");
      if (p instanceof GuardedProvider) p.openAfterFailure(err.code);
    }
  }
}
