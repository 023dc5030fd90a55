/**
 * Expected refusals, each with the contract's error code. They are mapped to GraphQL errors
 * in one place (graphql/format-error.ts); anything else is an internal error and is masked.
 */
export type ErrorCode = "UNAUTHENTICATED" | "BAD_USER_INPUT" | "FORBIDDEN" | "RATE_LIMITED" | "NOT_FOUND";

export class GatewayError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "GatewayError";
  }
}

export const unauthenticated = (message = "A valid API key is required") => new GatewayError("UNAUTHENTICATED", message);
export const badInput = (field: string, message: string) => new GatewayError("BAD_USER_INPUT", message, { field });
/** `extensions` says why when a client can act on it, e.g. `{ reason: "CHANNEL_UNAVAILABLE" }`. */
export const forbidden = (message: string, extensions: Record<string, unknown> = {}) => new GatewayError("FORBIDDEN", message, extensions);
export const notFound = (message = "Verification not found") => new GatewayError("NOT_FOUND", message);
export const rateLimited = (retryAfterSeconds: number, message = "Too many requests; try again later") =>
  new GatewayError("RATE_LIMITED", message, { retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) });
