import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import { GatewayError } from "../../errors";
import { MAX_PER_PAGE } from "../queries/list-sql";

/**
 * What an admin operation may cost. Every field counts 1; a field with a `perPage` argument
 * (every list) counts its selection once per row it may return; a verification's `timeline`
 * runs its own query over four tables and counts TIMELINE_COST. A list page of 500 plain rows
 * fits (the dashboard's exports); 500 verifications each with its timeline (500 extra queries,
 * thousands of rows) doesn't; nor do thirty aliased copies of a large page.
 */
export const ADMIN_COST = { maxCost: 25_000, timelineCost: 100, defaultPerPage: 25 } as const;

type Variables = Record<string, unknown> | undefined | null;

/** The cost of the operation `operationName` (or the document's only one) with these variables. */
export function operationCost(document: DocumentNode, operationName: string | null | undefined, variables: Variables): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return 0; // graphql-js refuses it on its own
  // A variable left out takes its default from the operation: `query($n: Int = 500)` costs 500 rows.
  const values: Record<string, unknown> = {};
  for (const d of operation.variableDefinitions ?? []) if (d.defaultValue?.kind === Kind.INT) values[d.variable.name.value] = Number(d.defaultValue.value);
  return selectionCost(operation.selectionSet, fragments, { ...values, ...(variables ?? {}) }, new Set(), new Map());
}

/** `known`: each fragment's cost, computed once (spreads can fan out exponentially). */
function selectionCost(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, vars: Variables, path: Set<string>, known: Map<string, number>): number {
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const inner = sel.selectionSet ? selectionCost(sel.selectionSet, fragments, vars, path, known) : 0;
      const perPage = sel.arguments?.find((a) => a.name.value === "perPage");
      const rows = perPage ? intValue(perPage.value, vars) : isPagedList(sel.name.value) ? ADMIN_COST.defaultPerPage : 1;
      cost += (sel.name.value === "timeline" ? ADMIN_COST.timelineCost : 1) + inner * rows;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      cost += selectionCost(sel.selectionSet, fragments, vars, path, known);
    } else {
      const name = sel.name.value;
      const fragment = fragments.get(name);
      if (!fragment || path.has(name)) continue; // unknown or cyclic: graphql-js reports it
      if (!known.has(name)) {
        path.add(name);
        known.set(name, selectionCost(fragment.selectionSet, fragments, vars, path, known));
        path.delete(name);
      }
      cost += known.get(name)!;
    }
  }
  return cost;
}

/** The admin API's paged lists: without a `perPage` argument they return its default (25) rows. */
const PAGED_LISTS = new Set(["verifications", "deliveryAttempts", "blocks", "apps", "staffUsers", "auditLog", "outboxMessages", "totpFactors"]);
const isPagedList = (name: string) => PAGED_LISTS.has(name);

/** A perPage as given (a literal or a variable); out-of-range values are refused by the resolvers' paging check. */
function intValue(v: ValueNode, vars: Variables): number {
  const raw = v.kind === Kind.INT ? Number(v.value) : v.kind === Kind.VARIABLE ? Number(vars?.[v.name.value] ?? ADMIN_COST.defaultPerPage) : ADMIN_COST.defaultPerPage;
  return Number.isFinite(raw) ? Math.min(Math.max(Math.trunc(raw), 1), MAX_PER_PAGE) : ADMIN_COST.defaultPerPage;
}

/** The refusal: what the caller asked for, with the field to change. */
export function costProblem(cost: number): GatewayError | null {
  if (cost <= ADMIN_COST.maxCost) return null;
  return new GatewayError("BAD_USER_INPUT", `This operation costs ${cost}, more than ${ADMIN_COST.maxCost}: ask for fewer rows (perPage), fewer aliases, or timelines one verification at a time`, { field: "perPage", cost, maxCost: ADMIN_COST.maxCost });
}

/** The check on /admin/graphql over HTTP, once the operation is known and before anything runs: 400 when it is too costly. */
export const adminCostPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation(rc) {
        const problem = costProblem(operationCost(rc.document, rc.operationName ?? rc.request.operationName, rc.request.variables));
        if (!problem) return;
        rc.response.http.status = 400;
        throw new GraphQLError(problem.message, { originalError: problem, extensions: { code: problem.code, ...problem.extensions } });
      },
    };
  },
};
