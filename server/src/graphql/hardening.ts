import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { NoSchemaIntrospectionCustomRule, type GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from "graphql";
import { singleOtpMutationRule } from "./single-otp-mutation-rule";

/** Size limits on a GraphQL document (env GRAPHQL_MAX_*). The client API's real operations are far below each. */
export interface GraphqlLimits {
  maxAliases: number;
  maxDepth: number;
  maxTokens: number;
  maxCost: number;
  maxDirectives: number;
}

export const DEFAULT_GRAPHQL_LIMITS: GraphqlLimits = { maxAliases: 15, maxDepth: 6, maxTokens: 1000, maxCost: 1000, maxDirectives: 10 };

// GraphQL Armor's rules throw out of graphql-js's validate() by default, which Apollo would answer
// as a 500; reported through the validation context they are ordinary validation errors (400).
const report = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)] };

/**
 * The validation rules every client operation passes on top of the specification's, over
 * HTTP and WebSocket (http/subscriptions.ts) alike: one OTP mutation per operation, and GraphQL Armor's alias, depth,
 * cost and directive limits. Aliases of `__typename` count too (Armor exempts them by default),
 * so a cheap field can't be used to blow up a document. In production, introspection is refused
 * here as well (Apollo adds the same rule for HTTP itself).
 */
export function hardeningRules(limits: GraphqlLimits, production: boolean): ValidationRule[] {
  const rules: ValidationRule[] = [
    singleOtpMutationRule(),
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...report }),
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, ...report }),
    costLimitRule({ maxCost: limits.maxCost, ...report }),
    maxDirectivesRule({ n: limits.maxDirectives, ...report }),
  ];
  if (production) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/**
 * Apollo Server options that harden the HTTP endpoint. The token limit is graphql-js's own
 * parser option: a document past it is refused while it is being read, before any AST or
 * validation work, which is what makes a 10,000-alias document cheap to refuse.
 */
export function apolloHardening(limits: GraphqlLimits, production: boolean) {
  return {
    validationRules: hardeningRules(limits, false),
    parseOptions: { maxTokens: limits.maxTokens } satisfies ParseOptions,
    introspection: !production,
    // Drops "Did you mean …?" from validation errors: suggestions reveal the schema field by field.
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
  } as const;
}

