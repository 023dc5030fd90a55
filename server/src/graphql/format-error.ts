import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { Logger } from "pino";
import { GatewayError } from "../errors";

/** Codes that graphql-js and Apollo produce for malformed requests: safe to pass through. */
const PASS_THROUGH = new Set(["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT", "BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND", "OPERATION_RESOLUTION_FAILURE", "UNAUTHENTICATED"]);

/** The contract's refusal codes, when they arrive as GraphQLErrors rather than GatewayErrors. */
const CONTRACT_REFUSALS = new Set(["RATE_LIMITED", "FORBIDDEN", "NOT_FOUND"]);

/**
 * The one place errors become GraphQL errors: a GatewayError keeps its contract code and
 * extensions; a malformed request keeps graphql-js's message; anything else is an internal
 * error, logged with an id and answered without detail (and never with a stack trace).
 */
export function createFormatError(log: Logger, hideSuggestions: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // A GatewayError raised outside a resolver (a plugin's check before execution) arrives wrapped without a path.
    const original = unwrapped instanceof GraphQLError && unwrapped.originalError instanceof GatewayError ? unwrapped.originalError : unwrapped;
    if (original instanceof GatewayError) {
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: original.code, ...original.extensions } };
    }
    const code = formatted.extensions?.code as string | undefined;
    if (code && CONTRACT_REFUSALS.has(code)) {
      // A contract refusal raised as a plain GraphQLError (graphql-ws hooks): keep its code and its extensions (retryAfter).
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: formatted.extensions };
    }
    if (code && PASS_THROUGH.has(code)) {
      const message = hideSuggestions ? formatted.message.replace(/ ?Did you mean .*\?$/, "") : formatted.message;
      // Apollo's BAD_REQUEST (a request it can't read, CSRF prevention) is, in the contract's words, bad input.
      return { message, locations: formatted.locations, path: formatted.path, extensions: { code: code === "BAD_REQUEST" ? "BAD_USER_INPUT" : code } };
    }
    // Stamped by the operation observer (or the context function): lets support match an answer to its log line.
    const requestId = formatted.extensions?.requestId as string | undefined;
    // The correlation id is the request's own id (fastify's request.id, echoed as X-Request-Id) when there is one.
    const errorId = requestId ?? crypto.randomUUID();
    const cause = original instanceof GraphQLError && original.originalError ? original.originalError : original;
    log.error({ err: cause, errorId, reqId: requestId, path: formatted.path }, "internal error in a GraphQL operation");
    return { message: "Internal server error", path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR", errorId, ...(requestId && { requestId }) } };
  };
}
