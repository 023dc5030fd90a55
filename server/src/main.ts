#!/usr/bin/env node
import "reflect-metadata";
// First: tracing patches http, pg and redis as they load (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set).
import "./observability/tracing-bootstrap";
import { CommanderError } from "commander";
import { ConfigError } from "./config/config";
import { buildProgram } from "./cli/program";
import { exitCodeFor } from "./cli/usage-error";

/**
 * The `otp-gateway` command. A bad flag or value exits 2 with a message naming it (configuration
 * errors name the variable, never its value); any other failure exits 1 (cli/usage-error.ts).
 */
const program = buildProgram();

program.parseAsync(process.argv).catch((err: unknown) => {
  const code = exitCodeFor(err);
  // Commander has printed its own message (and the help hint) already; a configuration error is its list of problems.
  if (!(err instanceof CommanderError)) process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `otp-gateway: ${(err as Error)?.message ?? err}\n`);
  process.exit(code);
});
