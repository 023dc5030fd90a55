import pino, { type DestinationStream, type Logger } from "pino";
import { scrubValues } from "./error-serializer";
import { redactLine, refuseSensitiveBindings } from "./log-redaction";
import { traceFields } from "./trace-context";

/**
 * Structured JSON logs. Secrets, codes and raw destinations are redacted by key wherever they
 * appear (one level deep, see log-redaction.ts); the development outbox is the only component that prints a
 * message body (and so a code). Errors are logged without the values they were computed from
 * (query parameters, pg's `detail`). Request-scoped lines carry `reqId` (see request-id.ts).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "otp-gateway" },
      // trace_id / span_id of the active span on every line written inside a traced request.
      mixin: traceFields,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Secrets, codes and raw destinations censored, errors serialized without their values (log-redaction.ts).
      formatters: { log: redactLine, bindings: redactLine },
      // pino passes a child's bindings past the formatter: refuse a sensitive one where it is written, at start-up.
      onChild: (child: Logger) => refuseSensitiveBindings(child),
      hooks: {
        // log.error(err) alone: pino would put the raw message in `msg`, beside the scrubbed err.
        logMethod(args, method) {
          if (args.length === 1 && args[0] instanceof Error) return method.call(this, { err: args[0] }, scrubValues(args[0].message));
          return method.apply(this, args);
        },
      },
      // Already serialized by redactLine: pino's default err serializer would wrap them a second time.
      serializers: { err: (e: unknown) => e, error: (e: unknown) => e },
    },
    destination,
  );
}
