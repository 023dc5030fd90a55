import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { Pool } from "undici";

/** What the `twilio` SDK hands its `httpClient` (the subset of RequestClient.RequestOptions it fills in). */
interface SdkRequest {
  method: string;
  uri: string;
  username?: string;
  password?: string;
  headers?: Record<string, string>;
  params?: Record<string, unknown>;
  data?: Record<string, unknown>;
  timeout?: number;
}

/** What the SDK expects back: it parses a string body itself (and builds its RestException from it). */
interface SdkResponse { statusCode: number; body: string; headers: Record<string, string | string[] | undefined> }

/** A network failure or timeout, shaped as classify() reads it: no HTTP status, so transient. */
export class TwilioTransportError extends Error {
  constructor(readonly code: "TIMEOUT" | "NETWORK", message: string) {
    super(message);
  }
}

/**
 * The `twilio` SDK's transport, on undici instead of axios (the SDK's documented `httpClient`
 * option: its request building, error classes and response parsing stay the SDK's). Measured
 * with the real SDK against the bench's stand-in: 0.68–0.88 ms of CPU per message with the
 * SDK's axios client, 0.17–0.35 ms with this one (`npm run bench`: the worker's biggest single
 * cost per send). One keep-alive pool per origin; every request bounded by the provider
 * timeout (PROVIDER_TIMEOUT_MS) as a whole, connect to last byte.
 */
export class TwilioHttpClient {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly timeoutMs: number, private readonly connections = 64) {}

  async request(opts: SdkRequest): Promise<SdkResponse> {
    const url = new URL(opts.uri);
    if (opts.params) for (const [k, v] of formPairs(opts.params)) url.searchParams.append(k, v);
    const headers: Record<string, string> = {};
    // undici sets Connection itself (keep-alive); the SDK's own would be refused.
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (k.toLowerCase() !== "connection") headers[k] = v;
    if (opts.username && opts.password) headers.Authorization = "Basic " + Buffer.from(`${opts.username}:${opts.password}`).toString("base64");
    const body = opts.data && headers["Content-Type"] === "application/x-www-form-urlencoded" ? new URLSearchParams(formPairs(opts.data)).toString()
      : opts.data ? JSON.stringify(opts.data) : undefined;
    const timeoutMs = opts.timeout ?? this.timeoutMs;
    try {
      const res = await this.pool(url.origin).request({
        method: opts.method.toUpperCase() as "GET", path: url.pathname + url.search, headers, body,
        signal: AbortSignal.timeout(timeoutMs), headersTimeout: 0, bodyTimeout: 0,
      });
      return { statusCode: res.statusCode, body: await res.body.text(), headers: res.headers };
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.name === "TimeoutError" || e.name === "AbortError") throw new TwilioTransportError("TIMEOUT", `Twilio did not answer within ${timeoutMs} ms`);
      throw new TwilioTransportError("NETWORK", `Could not reach Twilio: ${e.code ?? e.message}`);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections: this.connections, keepAliveTimeout: 30_000 });
      this.pools.set(origin, p);
    }
    return p;
  }
}

/**
 * The `twilio` SDK as every Twilio provider here uses it: over this transport, and with no SDK
 * retries (the delivery worker owns retries, backoff and failover). `http` is for close().
 */
export function twilioOverUndici(accountSid: string, authToken: string, timeoutMs: number): { client: ReturnType<typeof twilio>; http: TwilioHttpClient } {
  const http = new TwilioHttpClient(timeoutMs);
  const client = twilio(accountSid, authToken, { autoRetry: false, timeout: timeoutMs, httpClient: http as unknown as RequestClient });
  return { client, http };
}

/** The SDK's form encoding (qs, arrayFormat "repeat"): arrays repeat the key; undefined and null are left out. */
function formPairs(data: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(data).flatMap(([k, v]): Array<[string, string]> => {
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.filter((x) => x !== undefined && x !== null).map((x) => [k, String(x)]);
    if (v instanceof Date) return [[k, v.toISOString()]];
    return [[k, String(v)]];
  });
}
