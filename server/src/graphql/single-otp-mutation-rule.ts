import { GraphQLError, Kind, type ASTNode, type SelectionSetNode, type ValidationContext, type ValidationRule } from "graphql";

/** The mutations that send a code or spend an attempt (verifyTotp: a guess at an authenticator's code): each costs money or a guess. */
export const OTP_MUTATIONS: readonly string[] = ["requestOtp", "verifyOtp", "resendOtp", "verifyTotp"];

/**
 * At most one OTP mutation per operation. GraphQL lets one request carry a thousand aliased
 * `verifyOtp` fields (a thousand guesses past every per-request limit), or a thousand
 * `requestOtp` (a thousand SMS), and fragments can hide them from a naive count. This rule
 * collects the operation's root fields the way execution will (through inline fragments and
 * named fragments, nested to any depth) and counts the distinct response keys among the OTP
 * mutations: two spreads of one fragment run its field once, so they count once.
 */
export function singleOtpMutationRule(fields: readonly string[] = OTP_MUTATIONS): ValidationRule {
  const watched = new Set(fields);
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const found = new Map<string, ASTNode>();
      collect(context, operation.selectionSet, watched, found, new Map(), new Set());
      if (found.size > 1) {
        context.reportError(
          new GraphQLError(`At most one of ${fields.join(", ")} per operation; found ${found.size}. Send them as separate requests.`, {
            nodes: [...found.values()],
          }),
        );
      }
      return false; // nothing below the root matters to this rule
    },
  });
}

/** Adds the response keys of watched root fields in `set` to `found`; named fragments are expanded once each. */
function collect(
  context: ValidationContext,
  set: SelectionSetNode,
  watched: Set<string>,
  found: Map<string, ASTNode>,
  expanded: Map<string, boolean>,
  path: Set<string>,
): void {
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (watched.has(sel.name.value)) {
        const key = sel.alias?.value ?? sel.name.value;
        if (!found.has(key)) found.set(key, sel);
      }
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      collect(context, sel.selectionSet, watched, found, expanded, path);
    } else {
      const name = sel.name.value;
      // A fragment's keys are the same wherever it is spread: expand it once (spreads can fan out exponentially).
      if (expanded.has(name) || path.has(name)) continue; // path: a cycle, reported by NoFragmentCycles
      const fragment = context.getFragment(name);
      if (!fragment) continue;
      path.add(name);
      collect(context, fragment.selectionSet, watched, found, expanded, path);
      path.delete(name);
      expanded.set(name, true);
    }
  }
}
