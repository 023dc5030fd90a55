import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

/**
 * What a client app's backend needs of the gateway: the OTP mutations over HTTP, one
 * verification's state, the authenticator check for a step-up, and the deliveryStatus
 * subscription over graphql-ws. The API key lives here, never in the browser.
 */
export interface GatewayError {
  code: string;
  message: string;
  retryAfter?: number;
  field?: string;
  /** Why a FORBIDDEN was refused, e.g. "SIM_SWAP" or "CHANNEL_UNAVAILABLE". */
  reason?: string;
}

export class GatewayRequestError extends Error {
  constructor(readonly error: GatewayError) {
    super(error.message);
  }
}

/** One further channel of a verification: it starts `afterSeconds` after the previous step's hand-off unless the code was entered. */
export interface NextStep {
  channel: string;
  destination?: string;
  afterSeconds?: number;
}

export interface RequestOtpInput {
  destination: string;
  channel: string;
  clientIp?: string;
  locale?: string;
  purpose?: string;
  next?: NextStep[];
}

const VERIFICATION_FIELDS = `id channel status to codeLength expiresAt resendAvailableAt attemptsRemaining
  steps { channel to status startsAt startedAt }
  deliveries { id channel provider status errorCode createdAt updatedAt }`;

export class GatewayClient {
  private ws?: Client;

  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  private async call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${this.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
    const err = body.errors?.[0];
    if (err) {
      const ext = err.extensions ?? {};
      throw new GatewayRequestError({
        code: String(ext.code ?? "INTERNAL_SERVER_ERROR"),
        message: err.message,
        retryAfter: typeof ext.retryAfter === "number" ? ext.retryAfter : undefined,
        field: typeof ext.field === "string" ? ext.field : undefined,
        reason: typeof ext.reason === "string" ? ext.reason : undefined,
      });
    }
    return body.data as T;
  }

  async requestOtp(input: RequestOtpInput) {
    const q = `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { ${VERIFICATION_FIELDS} } }`;
    return (await this.call<{ requestOtp: unknown }>(q, { input: { purpose: "login", ...input } })).requestOtp;
  }

  async resendOtp(verificationId: string, channel?: string) {
    const q = `mutation($id: ID!, $channel: Channel) { resendOtp(verificationId: $id, channel: $channel) { ${VERIFICATION_FIELDS} } }`;
    return (await this.call<{ resendOtp: unknown }>(q, { id: verificationId, channel })).resendOtp;
  }

  /** One verification as it is now: its steps (which one is active, when the next starts) and deliveries. */
  async verification(verificationId: string) {
    const q = `query($id: ID!) { verification(id: $id) { ${VERIFICATION_FIELDS} } }`;
    return (await this.call<{ verification: unknown }>(q, { id: verificationId })).verification;
  }

  async verifyOtp(verificationId: string, code: string) {
    const q = `mutation($input: VerifyOtpInput!) { verifyOtp(input: $input) { status attemptsRemaining token } }`;
    return (await this.call<{ verifyOtp: { status: string; attemptsRemaining: number; token: string | null } }>(q, { input: { verificationId, code } })).verifyOtp;
  }

  /** An authenticator app's code for `subject` (the app's own id for its user): any of the subject's VERIFIED factors. */
  async verifyTotp(subject: string, code: string, clientIp?: string) {
    const q = `mutation($input: VerifyTotpInput!) { verifyTotp(input: $input) { status attemptsRemaining token } }`;
    return (await this.call<{ verifyTotp: { status: string; attemptsRemaining: number; token: string | null } }>(q, { input: { subject, code, clientIp } })).verifyTotp;
  }

  /** The gateway pushes the current state of each delivery, then every change; `steps` on the events that changed the workflow. */
  subscribeDeliveryStatus(verificationId: string, onEvent: (event: unknown) => void, onEnd: (error?: unknown) => void): () => void {
    this.ws ??= createClient({
      url: `${this.url.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.apiKey}` },
      lazy: true,
    });
    const query = `subscription($id: ID!) { deliveryStatus(verificationId: $id) {
      verificationId delivery { id channel provider status errorCode createdAt updatedAt }
      steps { channel to status startsAt startedAt } } }`;
    return this.ws.subscribe(
      { query, variables: { id: verificationId } },
      {
        next: (r) => (r.errors ? onEnd(r.errors) : onEvent(r.data?.deliveryStatus)),
        error: (e) => onEnd(e),
        complete: () => onEnd(),
      },
    );
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
  }
}
