import type { AppService } from "./apps/app-service";
import type { AttemptService } from "./attempts/attempt-service";
import type { DeliveryEvents } from "./delivery/delivery-events";
import type { Metrics } from "./observability/metrics";
import type { ProviderRegistry } from "./providers/registry";
import type { BlockService } from "./protection/block-service";
import type { BlockStore } from "./protection/block-store";
import type { RateLimits } from "./protection/rate-limits";
import type { TokenSigner } from "./tokens/token-signer";
import type { TotpService } from "./totp/totp-service";
import type { TotpStore } from "./totp/totp-store";
import type { TotpVerifier } from "./totp/totp-verifier";
import type { VerificationService } from "./verification/verification-service";
import type { VerifyService } from "./verification/verify-service";
import type { WebhookEndpointStore } from "./webhooks/endpoint-store";
import type { WebhookMessageStore } from "./webhooks/message-store";

/** The services one process wires together (app.ts), handed to resolvers and routes through context. */
export interface Services {
  apps: AppService;
  verifications: VerificationService;
  verify: VerifyService;
  deliveryEvents: DeliveryEvents;
  tokens: TokenSigner;
  blocks: BlockStore;
  /** Listing and lifting rate-limit blocks (CLI and dashboard): lifting also resets the counter. */
  blockService: BlockService;
  limits: RateLimits;
  registry: ProviderRegistry;
  metrics: Metrics;
  /** Outbound webhooks: an app's endpoints (CLI, dashboard) and their outbox messages (resend). */
  webhookEndpoints: WebhookEndpointStore;
  webhookMessages: WebhookMessageStore;
  /** Authenticator-app factors of apps' end users: enrol, list, revoke; verify; the rows (dashboard, CLI, sweep). */
  totp: TotpService;
  totpVerifier: TotpVerifier;
  totpStore: TotpStore;
  /** A client app's attempts with their prices, and its conversion and spend summaries. */
  attempts: AttemptService;
}
