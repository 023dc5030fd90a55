#!/usr/bin/env node
import "reflect-metadata";
// First: tracing patches http, pg and redis as they load (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
import "./observability/tracing-bootstrap";
import { ConfigError } from "./config/config";
import { NistBoundsError } from "./apps/nist-bounds";
import { buildProgram } from "./cli/program";

/**
 * The `otp-gateway` command. Configuration errors print which variable is wrong (never its
 * value) and exit 2; so do app settings a production rule refuses (NIST's bounds on codes).
 */
const program = buildProgram();

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`otp-gateway: ${(err as Error)?.message ?? err}\n`);
  process.exit(err instanceof NistBoundsError ? 2 : 1);
});

