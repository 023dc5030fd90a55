/**
 * How each react-admin resource maps onto the admin API: its list and one-record queries, the
 * fields to fetch, and its mutations. Lists follow ra-data-graphql-simple's conventions
 * (page, perPage, sortField, sortOrder, filter) and answer { data, total }.
 */
export interface ResourceDef {
  list: string;
  filterType?: string;
  fields: string;
  one?: string;
  oneFields?: string;
  create?: { mutation: string; inputType: string; result: string };
  update?: { mutation: string; inputType: string; inputFields: string[] };
  /** A list that takes no paging arguments (computed on the server as a whole). */
  unpaged?: boolean;
}

const TIMELINE = `timeline { at kind summary provider channel status source messageId errorCode errorMessage errorExplanation latencyMs ip rule hits limit blockedUntil blockId liftedAt liftReason riskFactors shadow deliveryId purpose locale appName destination }`;
const STEPS = `steps { position channel destination status afterSeconds startsAt startedAt endedAt reason deliveryId }`;
const VERIFICATION = `id appId appName channel destination destinationMasked country purpose locale clientIp status failedAttempts maxAttempts sendCount createdAt expiresAt completedAt lastProvider lastDeliveryStatus lastErrorCode simSwap`;
const WINDOW = `window attempts sent delivered failed failureRate latencyP50Ms latencyP95Ms`;
const APP = `id name codeLength ttlSeconds maxAttempts resendCooldownSeconds maxSends hourlyBudget countries voiceCountries defaultLocale fallbackChannel testDestinations { destination code outcome } limits smsAppHash webOtpDomain simSwap { maxAgeHours action } createdAt updatedAt keys { id hint createdAt revokedAt } requestsWithoutClientIp24h clientIpHint`;
const STAFF = `id email role totpEnabled disabled lastLoginAt createdAt`;
const FACTOR = `id appId appName subject label status createdAt verifiedAt lastUsedAt revokedAt attemptsDay failuresDay lastAttemptAt lastAttemptOutcome`;

export const APP_INPUT_FIELDS = [
  "name", "codeLength", "ttlSeconds", "maxAttempts", "resendCooldownSeconds", "maxSends", "hourlyBudget", "countries", "defaultLocale",
  "voiceCountries", "fallbackChannel", "testDestinations", "limits", "smsAppHash", "webOtpDomain", "simSwap",
];

/** An app's form values as AppInput: the SIM-swap check is off (null) without an action, else its two fields. */
export function appInput(data: Record<string, any>): Record<string, unknown> {
  const input: Record<string, any> = Object.fromEntries(APP_INPUT_FIELDS.filter((f) => f in data).map((f) => [f, data[f]]));
  if ("simSwap" in input) {
    const s = input.simSwap;
    input.simSwap = s?.action ? { maxAgeHours: Number(s.maxAgeHours ?? 24), action: s.action } : null;
  }
  return input;
}

export const RESOURCES: Record<string, ResourceDef> = {
  verifications: { list: "verifications", filterType: "VerificationFilter", fields: VERIFICATION, one: "verification", oneFields: `${VERIFICATION} ${STEPS} ${TIMELINE}` },
  deliveries: {
    list: "deliveryAttempts", filterType: "DeliveryLogFilter",
    fields: `id at provider channel sentAs outcome messageId errorCode errorMessage errorExplanation latencyMs deliveryId deliveryStatus verificationId destination country appName`,
  },
  blocks: {
    list: "blocks", filterType: "BlockFilter", one: "block",
    fields: `id appId appName rule key hits limit windowSeconds blockedUntil createdAt active liftedAt liftedBy liftReason liftNeedsAdmin shadow summary figures { label value } riskFactors { code text }`,
  },
  providers: {
    list: "providers", unpaged: true, one: "provider",
    fields: `id provider channel position breakerState hour { ${WINDOW} } day { ${WINDOW} } week { ${WINDOW} } topErrors { code count explanation }`,
  },
  apps: {
    list: "apps", filterType: "AppFilter", one: "app", fields: APP,
    create: { mutation: "createApp", inputType: "AppInput", result: `apiKey app { ${APP} }` },
    update: { mutation: "updateApp", inputType: "AppInput", inputFields: APP_INPUT_FIELDS },
  },
  staff: {
    list: "staffUsers", filterType: "StaffFilter", one: "staffUser", fields: STAFF,
    create: { mutation: "createStaff", inputType: "StaffCreateInput", result: STAFF },
    update: { mutation: "updateStaff", inputType: "StaffUpdateInput", inputFields: ["role", "disabled", "resetTotp", "password"] },
  },
  audit: { list: "auditLog", filterType: "AuditFilter", one: "auditEntry", fields: `id at actorId actorEmail actorRole action targetType targetId reason before after ip` },
  totpFactors: { list: "totpFactors", filterType: "TotpFactorFilter", fields: FACTOR, one: "totpFactor", oneFields: `${FACTOR} ${TIMELINE}` },
  outbox: { list: "outboxMessages", filterType: "OutboxFilter", fields: `id verificationId appName channel recipient subject body createdAt` },
};
