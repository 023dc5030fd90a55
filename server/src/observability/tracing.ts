import type { NodeSDK } from "@opentelemetry/sdk-node";
import type { TracingConfig } from "../config/tracing-config";
import { RedactingSpanProcessor } from "./redacting-span-processor";
import { environmentSecrets, SpanRedactor } from "./span-redaction";

/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured (the standard
 * OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT; every other OTEL_* variable is the SDK's own).
 * Spans: the HTTP requests (GraphQL, webhooks), GraphQL operations, SQL, Redis, and the vendors'
 * HTTP calls (http for the Twilio, Vonage and AWS SDKs, undici for fetch). Traces only: metrics
 * stay on Prometheus (/metrics) and logs on stdout, each line carrying trace_id (logger.ts).
 *
 * It must start before the instrumented modules (http, pg, redis, graphql) are loaded, which is
 * why main.ts loads tracing-bootstrap.ts first.
 *
 * Spans carry what logs may not unless told otherwise (query strings, URLs with tokens, GraphQL
 * documents with inlined arguments): the instrumentations are set to leave values out, and every
 * span passes through RedactingSpanProcessor (span-redaction.ts) before any exporter sees it.
 */
let sdk: NodeSDK | undefined;

export function startTracing(cfg: TracingConfig): boolean {
  if (!cfg.enabled || sdk) return false;
  // Loaded only when tracing is on: the SDK and its instrumentations are ~20 MB of a process's memory.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require("@opentelemetry/sdk-node") as typeof import("@opentelemetry/sdk-node");
  const { HttpInstrumentation } = require("@opentelemetry/instrumentation-http") as typeof import("@opentelemetry/instrumentation-http");
  const { UndiciInstrumentation } = require("@opentelemetry/instrumentation-undici") as typeof import("@opentelemetry/instrumentation-undici");
  const { PgInstrumentation } = require("@opentelemetry/instrumentation-pg") as typeof import("@opentelemetry/instrumentation-pg");
  const { RedisInstrumentation } = require("@opentelemetry/instrumentation-redis") as typeof import("@opentelemetry/instrumentation-redis");
  const { GraphQLInstrumentation } = require("@opentelemetry/instrumentation-graphql") as typeof import("@opentelemetry/instrumentation-graphql");
  // The SDK's own reading of OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_* (what NodeSDK does when
  // given no processors), so the redacting processor can stand in front of whatever it builds.
  const { getSpanProcessorsFromEnv } = require("@opentelemetry/sdk-node/build/src/utils") as { getSpanProcessorsFromEnv(): import("@opentelemetry/sdk-node").tracing.SpanProcessor[] };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const exporterHosts = cfg.exporterEndpoints.map((u) => new URL(u)).map((u) => `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`);
  sdk = new NodeSDK({
    serviceName: cfg.serviceName,
    // Traces only (the SDK would otherwise also export metrics and logs over OTLP by default).
    metricReaders: [],
    logRecordProcessors: [],
    spanProcessors: [new RedactingSpanProcessor(getSpanProcessorsFromEnv(), new SpanRedactor(environmentSecrets(process.env)))],
    instrumentations: [
      new HttpInstrumentation({
        // No header is recorded (headersToSpanAttributes stays empty): Authorization, cookies, signatures.
        // Probes and scrapes are noise; the exporter's own POSTs would trace themselves forever.
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)\b/.test(req.url ?? ""),
        ignoreOutgoingRequestHook: (req) => exporterHosts.includes(`${req.hostname ?? req.host}:${req.port ?? 80}`),
      }),
      new UndiciInstrumentation({ ignoreRequestHook: (req) => exporterHosts.some((h) => req.origin.endsWith(h)) }),
      new PgInstrumentation({ enhancedDatabaseReporting: false }), // statements, never their parameters
      new RedisInstrumentation({ dbStatementSerializer: (cmd) => cmd }), // the command name, never its arguments
      // allowValues: false prints an inlined argument (a destination, a code) as "*" in graphql.source.
      new GraphQLInstrumentation({ mergeItems: true, ignoreTrivialResolveSpans: true, allowValues: false }),
    ],
  });
  sdk.start();
  return true;
}

/** Flushes what is buffered (serve's shutdown calls it last). */
export async function stopTracing(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown().catch(() => undefined);
}
