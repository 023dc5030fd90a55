import { SimSwapServiceError } from "./sim-swap-service-error";

export interface ClientCredentialsConfig {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** RFC 6749 §2.3.1: HTTP Basic (every server must accept it) or the credentials in the form body. */
  tokenAuth: "basic" | "body";
  scope?: string;
  /** A token fetch that takes longer is abandoned. */
  timeoutMs: number;
}

/** Renewed this long before the server says it expires (or at 10 % of a shorter lifetime), so no request carries a token about to lapse. */
const MARGIN_MS = 30_000;
/** RFC 6749 makes expires_in optional: without it, a token is kept this long. */
const DEFAULT_LIFETIME_S = 300;

/**
 * An OAuth 2.0 client-credentials access token (RFC 6749 §4.4), cached until shortly before it
 * expires. Requests that find no fresh token share one fetch. Plain fetch: the grant is one
 * form POST, and the OAuth libraries (openid-client, simple-oauth2) would bring discovery,
 * JOSE and other grants for nothing. Neither the secret nor a token is ever logged or put in
 * an error message.
 */
export class ClientCredentials {
  private cached?: { token: string; renewAt: number };
  private inFlight?: Promise<string>;

  constructor(
    private readonly config: ClientCredentialsConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token to use now: the cached one while it is fresh, else the (shared) fetch of a new one. */
  token(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return Promise.resolve(this.cached.token);
    return (this.inFlight ??= this.fetchToken().finally(() => {
      this.inFlight = undefined;
    }));
  }

  /** The resource server refused `token` (401): forget it, unless a newer one already replaced it. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const c = this.config;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (c.scope) form.set("scope", c.scope);
    const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" };
    if (c.tokenAuth === "basic") {
      // §2.3.1: each part form-urlencoded before the base64 (a secret with ':' or '%' stays intact).
      const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, "+");
      headers.Authorization = `Basic ${Buffer.from(`${enc(c.clientId)}:${enc(c.clientSecret)}`).toString("base64")}`;
    } else {
      form.set("client_id", c.clientId);
      form.set("client_secret", c.clientSecret);
    }
    const startedAt = this.now();
    let res: Response;
    try {
      res = await fetch(c.tokenUrl, { method: "POST", headers, body: form.toString(), signal: AbortSignal.timeout(c.timeoutMs) });
    } catch (err) {
      throw new SimSwapServiceError("token", (err as Error).name === "TimeoutError" ? "TIMEOUT" : "UNREACHABLE");
    }
    const body = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) {
      // RFC 6749 §5.2: { error: "invalid_client" | "invalid_scope" | … }; its description is the server's and may echo the request: not kept.
      const code = typeof body?.error === "string" && /^[\w.-]{1,64}$/.test(body.error) ? body.error : `HTTP_${res.status}`;
      throw new SimSwapServiceError("token", code, res.status);
    }
    if (typeof body?.access_token !== "string" || !body.access_token) throw new SimSwapServiceError("token", "MALFORMED_TOKEN_RESPONSE", res.status);
    const lifetimeMs = (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : DEFAULT_LIFETIME_S) * 1000;
    this.cached = { token: body.access_token, renewAt: startedAt + lifetimeMs - Math.min(MARGIN_MS, lifetimeMs / 10) };
    return body.access_token;
  }
}
