import pino, { type DestinationStream, type Logger } from "pino";
import { serializeError } from "./error-serializer";
import { traceFields } from "./trace-context";

/**
 * Structured JSON logs. Secrets, codes and raw destinations are redacted by key wherever they
 * appear (one level deep); the development outbox is the only component that prints a
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
      // Errors without their query parameters and driver values (error-serializer.ts).
      serializers: { err: (e: unknown) => serializeError(e), error: (e: unknown) => serializeError(e) },
      redact: {
        paths: [
          "authorization", "*.authorization", "*.headers.authorization", "headers.authorization",
          "password", "*.password", "apiKey", "*.apiKey", "token", "*.token", "code", "*.code",
          "otpSecret", "*.otpSecret", "authToken", "*.authToken", "apiSecret", "*.apiSecret",
          "connectionParams", "*.connectionParams", "cookie", "*.cookie", "*.headers.cookie", "headers.cookie",
          // GraphQL variables carry destinations and codes; a destination is logged only masked (maskDestination).
          "variables", "*.variables", "destination", "*.destination", "phoneNumber", "*.phoneNumber",
          "secret", "*.secret", "codeHash", "*.codeHash", "codeCipher", "*.codeCipher", "signatureSecret", "*.signatureSecret",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
