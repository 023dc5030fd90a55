import { tracingConfig } from "../config/tracing-config";
import { startTracing } from "./tracing";

/**
 * Loaded first by main.ts, before the modules tracing instruments. Only the long-running
 * `serve` command traces; one-shot CLI commands would exit before their spans were exported.
 */
if (process.argv[2] === "serve") startTracing(tracingConfig());
