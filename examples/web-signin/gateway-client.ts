import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

/**
 * What a client app's backend needs of the gateway: four mutations over HTTP and the
 * deliveryStatus subscription over graphql-ws. The API key lives here, never in the browser.
 */
export interface GatewayError {
  code: string;
  message: string;
  retryAfter?: number;
  field?: string;
}

export class GatewayRequestError extends Error {
  constructor(readonly error: GatewayError) {
    super(error.message);
  }
}

const VERIFICATION_FIELDS = `id channel status to codeLength expiresAt resendAvailableAt attemptsRemaining
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
      });
    }
    return body.data as T;
  }

  async requestOtp(input: { destination: string; channel: string; clientIp?: string; locale?: string }) {
    const q = `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { ${VERIFICATION_FIELDS} } }`;
    return (await this.call<{ requestOtp: unknown }>(q, { input: { ...input, purpose: "login" } })).requestOtp;
  }

  async resendOtp(verificationId: string, channel?: string) {
    const q = `mutation($id: ID!, $channel: Channel) { resendOtp(verificationId: $id, channel: $channel) { ${VERIFICATION_FIELDS} } }`;
    return (await this.call<{ resendOtp: unknown }>(q, { id: verificationId, channel })).resendOtp;
  }

  async verifyOtp(verificationId: string, code: string) {
    const q = `mutation($input: VerifyOtpInput!) { verifyOtp(input: $input) { status attemptsRemaining token } }`;
    return (await this.call<{ verifyOtp: { status: string; attemptsRemaining: number; token: string | null } }>(q, { input: { verificationId, code } })).verifyOtp;
  }

  /** The gateway pushes the current state of each delivery, then every change. */
  subscribeDeliveryStatus(verificationId: string, onEvent: (event: unknown) => void, onEnd: (error?: unknown) => void): () => void {
    this.ws ??= createClient({
      url: `${this.url.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.apiKey}` },
      lazy: true,
    });
    const query = `subscription($id: ID!) { deliveryStatus(verificationId: $id) {
      verificationId delivery { id channel provider status errorCode createdAt updatedAt } } }`;
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
