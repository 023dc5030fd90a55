import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from "@apollo/server";
import { unwrapResolverError } from "@apollo/server/errors";
import type { OperationDefinitionNode } from "graphql";
import type { Logger } from "pino";
import { GatewayError } from "../errors";
import type { GqlContext } from "../graphql/context";
import type { Metrics } from "./metrics";

/**
 * One Apollo plugin for what every client operation leaves behind: a count by operation and
 * outcome, a latency sample, and one access log line carrying the request id. It also stamps
 * the request id on errors before they are formatted, so that an internal error's answer
 * and its log line can be matched (format-error.ts reads it).
 *
 * The operation label is the root field (`requestOtp`), not the client's operationName:
 * root fields come from the schema, so the label set stays bounded whatever clients send.
 */
export function operationObserver(metrics: Metrics, log: Logger): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = contextValue.receivedAt ?? performance.now();
      return {
        async didEncounterErrors({ errors }) {
          // Only unexpected errors: a GatewayError's extensions are the contract's, and are shared with it.
          for (const e of errors) {
            if (unwrapResolverError(e) instanceof GatewayError) continue;
            (e as { extensions: Record<string, unknown> }).extensions = { ...e.extensions, requestId: contextValue.requestId };
          }
        },
        async willSendResponse(rc) {
          const operation = rootField(rc.operation);
          const outcome = outcomeOf(rc);
          const seconds = (performance.now() - started) / 1000;
          metrics.operations.inc({ operation, outcome });
          metrics.operationLatency.observe({ operation }, seconds);
          log.info({ reqId: contextValue.requestId, appId: contextValue.app.id, operation, outcome, ms: Math.round(seconds * 10_000) / 10 }, "graphql operation");
        },
      };
    },
  };
}

function rootField(op: OperationDefinitionNode | undefined | null): string {
  const first = op?.selectionSet.selections[0];
  return first?.kind === "Field" ? first.name.value : op ? op.operation : "invalid";
}

function outcomeOf(rc: GraphQLRequestContextWillSendResponse<GqlContext>): string {
  const body = rc.response.body;
  const errors = body.kind === "single" ? body.singleResult.errors : body.initialResult.errors;
  if (!errors?.length) return "ok";
  return String(errors[0].extensions?.code ?? "INTERNAL_SERVER_ERROR");
}
