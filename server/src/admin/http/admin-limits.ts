import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { NoSchemaIntrospectionCustomRule, type GraphQLError, type ValidationContext, type ValidationRule } from "graphql";
import { singleOtpMutationRule } from "../../graphql/single-otp-mutation-rule";

/**
 * Document limits for the admin API. Its operations are bigger than the client API's (a
 * timeline, a provider's three windows), so the limits are looser, but an anonymous caller
 * still can't send a thousand aliased logins or a document nested without end.
 */
export const ADMIN_DOCUMENT_LIMITS = { maxAliases: 30, maxDepth: 8, maxDirectives: 10, maxTokens: 4000 };

// Reported through the validation context, Armor's refusals are ordinary validation errors (400), not 500s.
const report = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)] };

/**
 * The mutations that check a password (argon2id, ~19 MiB and tens of milliseconds each): one per
 * operation, so that aliases can't turn one request into many hashes under one limiter count.
 */
export const PASSWORD_MUTATIONS: readonly string[] = ["login", "beginTotpEnrolment", "finishTotpEnrolment", "startTotpSetup"];

export function adminValidationRules(production: boolean): ValidationRule[] {
  const rules: ValidationRule[] = [
    singleOtpMutationRule(PASSWORD_MUTATIONS),
    maxAliasesRule({ n: ADMIN_DOCUMENT_LIMITS.maxAliases, allowList: [], ...report }),
    maxDepthRule({ n: ADMIN_DOCUMENT_LIMITS.maxDepth, flattenFragments: true, ...report }),
    maxDirectivesRule({ n: ADMIN_DOCUMENT_LIMITS.maxDirectives, ...report }),
  ];
  if (production) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}
