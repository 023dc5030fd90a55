/**
 * Loaded first by gateway-process.ts, as tracing-bootstrap.ts is by `otp-gateway serve`: with
 * OTEL_EXPORTER_OTLP_ENDPOINT set (the tracing phase) the SDK patches http, pg and redis
 * before they load; without it nothing is loaded at all, which is the cost of tracing off.
 */
import { tracingConfig } from "../../server/src/config/tracing-config";
import { startTracing } from "../../server/src/observability/tracing";

startTracing(tracingConfig());
