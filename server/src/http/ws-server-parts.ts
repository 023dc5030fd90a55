import type { GraphQLError, GraphQLFormattedError } from "graphql";
import type { WebSocketServer } from "ws";

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * The graphql-ws hooks both WebSocket endpoints (client API and admin API) share, so that
 * errors over a socket look exactly like errors over HTTP.
 */
export function wsErrorHooks(formatError: FormatError) {
  return {
    onNext: (_ctx: unknown, _id: unknown, _payload: unknown, _args: unknown, result: { errors?: readonly GraphQLError[] }) => {
      if (!result.errors?.length) return;
      return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
    },
    // Validation and parse errors: graphql-js gives them no code; Apollo's are these two.
    onError: (_ctx: unknown, _id: unknown, _payload: unknown, errors: readonly GraphQLError[]) =>
      errors.map((e) =>
        formatError({ ...e.toJSON(), extensions: { ...e.extensions, code: e.extensions.code ?? (e.nodes ? "GRAPHQL_VALIDATION_FAILED" : "GRAPHQL_PARSE_FAILED") } }, e),
      ),
  };
}

/** Closes every socket with 1001 (Going away) so clients reconnect elsewhere, then the server. */
export async function closeWsServer(wss: WebSocketServer, disposable: { dispose(): unknown }): Promise<void> {
  for (const client of wss.clients) client.close(1001, "Going away");
  await disposable.dispose();
  await new Promise<void>((r) => wss.close(() => r()));
}
