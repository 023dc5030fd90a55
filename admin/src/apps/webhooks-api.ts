import { gql } from "../graphql";

const ENDPOINT = `id url events status consecutiveFailures failingSince pausedAt pauseReason createdAt`;
const MESSAGE = `id eventId type verificationId status attempts lastStatusCode lastError nextAttemptAt deliveredAt createdAt
  attemptLog { id outcome statusCode latencyMs error createdAt }`;

/** The admin API's webhook operations (ADMIN only on the server). */
export const webhooksApi = {
  async endpoints(appId: string): Promise<any[]> {
    return (await gql(`query($appId: ID!) { webhookEndpoints(appId: $appId) { ${ENDPOINT} } }`, { appId })).webhookEndpoints;
  },
  async messages(appId: string, endpointId: string): Promise<any[]> {
    return (await gql(`query($appId: ID!, $endpointId: ID!) { webhookMessages(appId: $appId, endpointId: $endpointId, limit: 25) { ${MESSAGE} } }`, { appId, endpointId })).webhookMessages;
  },
  async add(appId: string, url: string, events: string[] | null): Promise<{ endpoint: any; signingSecret: string }> {
    return (await gql(`mutation($appId: ID!, $url: String!, $events: [String!]) { addWebhookEndpoint(appId: $appId, url: $url, events: $events) { signingSecret endpoint { ${ENDPOINT} } } }`,
      { appId, url, events })).addWebhookEndpoint;
  },
  async remove(appId: string, id: string) {
    return (await gql(`mutation($appId: ID!, $id: ID!) { removeWebhookEndpoint(appId: $appId, id: $id) { id } }`, { appId, id })).removeWebhookEndpoint;
  },
  async resume(appId: string, id: string) {
    return (await gql(`mutation($appId: ID!, $id: ID!) { resumeWebhookEndpoint(appId: $appId, id: $id) { id status } }`, { appId, id })).resumeWebhookEndpoint;
  },
  async resend(appId: string, messageId: string) {
    return (await gql(`mutation($appId: ID!, $messageId: ID!) { resendWebhookMessage(appId: $appId, messageId: $messageId) { id status } }`, { appId, messageId })).resendWebhookMessage;
  },
};

export const EVENT_TYPES = [
  "verification.pending", "verification.approved", "verification.canceled", "verification.expired",
  "verification.max_attempts_reached", "verification.failed", "verification.step_started", "delivery.updated", "totp.verified", "block.created",
];
