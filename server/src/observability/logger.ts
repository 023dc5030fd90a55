import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured JSON logs. Secrets and codes are redacted by key wherever they appear; the
 * development outbox is the only component that prints a message body (and so a code).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "otp-gateway" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "authorization", "*.authorization", "*.headers.authorization", "headers.authorization",
          "password", "*.password", "apiKey", "*.apiKey", "token", "*.token", "code", "*.code",
          "otpSecret", "*.otpSecret", "authToken", "*.authToken", "apiSecret", "*.apiSecret",
          "connectionParams", "*.connectionParams", "cookie", "*.cookie",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
