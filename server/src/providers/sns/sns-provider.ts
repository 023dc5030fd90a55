import type { MessageAttributeValue, SNSClient } from "@aws-sdk/client-sns";
import type { SnsConfig } from "../../config/config";
import { Channel, DeliveryStatus } from "../../verification/enums";
import { ProviderError, type FailureKind, type OutboundMessage, type Provider, type SendResult } from "../provider";

/** Error names (the query protocol's `<Code>`) by who can fix them; anything else: by HTTP status. */
const KIND: Record<string, FailureKind> = {
  // The destination: no retry and no other vendor fixes these.
  InvalidParameter: "permanent", InvalidParameterValue: "permanent", ValidationError: "permanent",
  // This account: credentials, permissions, spend limit, sandbox — another vendor may still send it.
  AuthorizationError: "provider", InvalidClientTokenId: "provider", SignatureDoesNotMatch: "provider", UnrecognizedClientException: "provider",
  AccessDenied: "provider", AccessDeniedException: "provider", ExpiredToken: "provider", ExpiredTokenException: "provider",
  OptInRequired: "provider", CredentialsProviderError: "provider", KMSAccessDenied: "provider", KMSDisabled: "provider",
  // SNS itself, for now.
  Throttled: "transient", Throttling: "transient", ThrottlingException: "transient", ThrottledException: "transient",
  InternalError: "transient", InternalFailure: "transient", ServiceUnavailable: "transient", KMSThrottling: "transient",
  RequestTimeout: "transient", TimeoutError: "transient",
};

/**
 * The AWS SDK is required when an SNS provider is built, not when this file loads: a gateway
 * without AWS_SNS_* never loads it, in either thread of a `serve` (memory: issue #24).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const awsSns = () => require("@aws-sdk/client-sns") as typeof import("@aws-sdk/client-sns");

/** Where SNS can't show an alphanumeric sender id (AWS: "Canada, China, and the United States" and its territories). */
const NO_SENDER_ID = new Set(["US", "CA", "CN", "PR", "GU", "AS", "VI", "MP"]);

/**
 * SMS through AWS SNS `Publish` to a phone number, with the official `@aws-sdk/client-sns`
 * (SigV4, the query protocol). Credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY when
 * set, otherwise from the SDK's own chain (shared profile, container or instance role).
 * AWS_SNS_ENDPOINT replaces the regional endpoint (a VPC endpoint, or a stand-in in tests).
 * Every message is `Transactional` (SNS routes those for reliability, not cost) and carries
 * AWS_SNS_SENDER_ID where the destination's country shows sender ids.
 *
 * SNS has no per-message status callbacks (delivery status goes to CloudWatch Logs, per account,
 * not per message to a URL): a delivery handed to SNS stays SENT.
 */
export class SnsProvider implements Provider {
  readonly name = "sns";
  readonly channels = [Channel.SMS] as const;
  readonly credentialVariables = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;
  private readonly client: SNSClient;
  private readonly sdk: ReturnType<typeof awsSns>;

  constructor(private readonly config: SnsConfig, timeoutMs = 10_000) {
    this.sdk = awsSns();
    this.client = new this.sdk.SNSClient({
      region: config.region,
      ...(config.endpoint && { endpoint: config.endpoint }),
      ...(config.credentials && { credentials: config.credentials }),
      // No SDK retries: the delivery worker owns retries, backoff and failover.
      maxAttempts: 1,
      requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
    });
  }

  /** GetSMSAttributes, the cheapest signed call: refused credentials are a `provider` error, an unreachable SNS `transient`. */
  async verify(): Promise<void> {
    try {
      await this.client.send(new this.sdk.GetSMSAttributesCommand({ attributes: ["DefaultSMSType"] }));
    } catch (e) {
      const err = classify(e);
      throw new ProviderError(err.kind === "transient" ? "transient" : "provider", err.code, `SNS check failed: ${err.code} ${err.message}`.trim());
    }
  }

  async send(m: OutboundMessage): Promise<SendResult> {
    const attributes: Record<string, MessageAttributeValue> = {
      "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
    };
    if (this.config.senderId && !(m.country && NO_SENDER_ID.has(m.country))) {
      attributes["AWS.SNS.SMS.SenderID"] = { DataType: "String", StringValue: this.config.senderId };
    }
    try {
      const out = await this.client.send(new this.sdk.PublishCommand({ PhoneNumber: m.to, Message: m.text, MessageAttributes: attributes }));
      if (!out.MessageId) throw new ProviderError("transient", "NO_MESSAGE_ID", "SNS accepted the message without a message id");
      return { providerMessageId: out.MessageId, status: DeliveryStatus.SENT };
    } catch (e) {
      throw e instanceof ProviderError ? e : classify(e);
    }
  }

  close(): void {
    this.client.destroy();
  }
}

/**
 * The SDK's ServiceException carries the HTTP status in `$metadata` and the error as `name`: the
 * query protocol's `<Code>` itself, or for modeled errors its class, `<Code>Exception`
 * (AuthorizationError → AuthorizationErrorException). We keep SNS's own spelling, the one in
 * AWS's docs. Anything without `$metadata` is the network.
 */
export function classify(e: unknown): ProviderError {
  const err = e as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const raw = err.name && err.name !== "Error" ? err.name : undefined;
  const name = raw && status !== undefined && !KIND[raw] ? raw.replace(/Exception$/, "") : raw;
  const message = (err.message ?? "SNS request failed").slice(0, 500);
  if (name && KIND[name]) return new ProviderError(KIND[name], name, message);
  if (status === undefined) return new ProviderError("transient", err.code ?? name ?? "NETWORK", message);
  if (status === 429 || status >= 500) return new ProviderError("transient", name ?? `HTTP_${status}`, message);
  if (status === 401 || status === 403) return new ProviderError("provider", name ?? `HTTP_${status}`, message);
  return new ProviderError("provider", name ?? `HTTP_${status}`, message);
}
