/**
 * Whether to trace, read from the standard OpenTelemetry variables before anything else loads
 * (tracing must patch http, pg and redis before they are required). The same variables are
 * validated with the rest of the configuration in env.ts; this reads only what start-up needs.
 */
export interface TracingConfig {
  enabled: boolean;
  serviceName: string;
  /** Where spans go, so the exporter's own requests are not traced. */
  exporterEndpoints: string[];
}

export function tracingConfig(env: NodeJS.ProcessEnv = process.env): TracingConfig {
  const endpoints = [env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, env.OTEL_EXPORTER_OTLP_ENDPOINT].filter((v): v is string => Boolean(v?.trim()));
  const disabled = ["true", "1", "yes"].includes((env.OTEL_SDK_DISABLED ?? "").trim().toLowerCase()) || (env.OTEL_TRACES_EXPORTER ?? "").includes("none");
  const valid = endpoints.filter((u) => URL.canParse(u));
  return { enabled: !disabled && valid.length > 0, serviceName: env.OTEL_SERVICE_NAME?.trim() || "otp-gateway", exporterEndpoints: valid };
}
