/**
 * CamaraSimSwapFake — a local stand-in for an operator's (or aggregator's) GSMA CAMARA SIM Swap
 * API, as published in camaraproject/SimSwap (code/API_definitions/sim-swap.yaml), with the
 * OAuth 2.0 token endpoint a two-legged (client credentials) consumer gets its token from:
 *  - `POST /oauth2/token` (RFC 6749 §4.4): `application/x-www-form-urlencoded`,
 *    `grant_type=client_credentials`, the client authenticated by HTTP Basic or by
 *    `client_id`/`client_secret` in the body (§2.3.1) → `{ access_token, token_type: "Bearer",
 *    expires_in }`; wrong credentials → 401 `{ "error": "invalid_client" }` (with
 *    `WWW-Authenticate: Basic` when Basic was used); another grant → 400 `unsupported_grant_type`.
 *  - `POST /sim-swap/v2/check` with `Authorization: Bearer <token>` and JSON `{ phoneNumber, maxAge }`
 *    → `200 { swapped }` (and the `x-correlator` echoed). Errors are CAMARA's ErrorInfo
 *    `{ status, code, message }`: 401 UNAUTHENTICATED (no, unknown, expired or revoked token),
 *    400 INVALID_ARGUMENT (phoneNumber not `^\+[1-9][0-9]{4,14}$`, maxAge not an integer),
 *    400 OUT_OF_RANGE (maxAge outside 1–2400, or beyond the operator's own monitoring period),
 *    422 MISSING_IDENTIFIER (no phoneNumber with a two-legged token), 404 IDENTIFIER_NOT_FOUND
 *    (a number this operator doesn't serve), 429 QUOTA_EXCEEDED, 503 UNAVAILABLE (an outage).
 *    `maxAge` defaults to 240 as in the spec.
 *  - `POST /sim-swap/v2/retrieve-date` → `{ latestSimChange }` (null when unknown), same errors.
 * Scripted: which numbers changed SIM and when, unknown numbers, latency, outages, quota, token
 * lifetime, and server-side revocation of every issued token (as after a key rotation).
 */
import type http from "node:http";
import { randomBytes } from "node:crypto";
import { LoopbackFake, readBody, sendJson as json } from "./fake-http";

export const CAMARA_BASE_PATH = "/sim-swap/v2";
const PHONE = /^\+[1-9][0-9]{4,14}$/;

export interface CamaraCheck { phoneNumber: unknown; maxAge: unknown; correlator: string | null; status: number; at: Date }
export interface TokenRequest { auth: "basic" | "body" | "none"; clientId: string | null; grantType: string | null; scope: string | null; status: number }

export class CamaraSimSwapFake extends LoopbackFake {
  readonly checks: CamaraCheck[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  /** When each number's SIM last changed; numbers not here have had their SIM for years. */
  readonly simChanges = new Map<string, Date>();
  /** Numbers this operator doesn't serve: 404 IDENTIFIER_NOT_FOUND. */
  readonly unknownNumbers = new Set<string>();
  /** Delay before each /check answer (the token endpoint answers at once). */
  latencyMs = 0;
  /** An outage: /check answers 503. */
  down = false;
  /** The business quota is spent: /check answers 429 QUOTA_EXCEEDED. */
  quotaExceeded = false;
  /** The operator's own monitoring period: a longer maxAge is 400 OUT_OF_RANGE. */
  maxAgeLimitHours = 2400;
  /** Lifetime of the tokens issued from now on. */
  expiresInSeconds = 3600;
  /** Every token issued, so a test can look for one where it must never be (logs). */
  readonly issued: string[] = [];
  private tokens = new Map<string, number>();

  private constructor(private readonly creds: { clientId: string; clientSecret: string }) {
    super();
  }

  static async start(creds: { clientId: string; clientSecret: string }): Promise<CamaraSimSwapFake> {
    const fake = new CamaraSimSwapFake(creds);
    await fake.listen((req, res) => fake.handle(req, res), (res, e) => json(res, 500, { status: 500, code: "INTERNAL", message: String(e) }));
    return fake;
  }

  get tokenUrl(): string {
    return `${this.url}/oauth2/token`;
  }

  get apiBaseUrl(): string {
    return `${this.url}${CAMARA_BASE_PATH}`;
  }

  /** The SIM of `phoneNumber` changed `hoursAgo` hours ago. */
  swapSim(phoneNumber: string, hoursAgo = 1): void {
    this.simChanges.set(phoneNumber, new Date(Date.now() - hoursAgo * 3_600_000));
  }

  /** Every token issued so far stops working (the server's side of an early expiry). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Token fetches that were answered with a token. */
  get tokensIssued(): number {
    return this.tokenRequests.filter((t) => t.status === 200).length;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "").split("?")[0];
    const body = await readBody(req);
    if (req.method === "POST" && path === "/oauth2/token") return this.token(req, res, body);
    if (req.method === "POST" && (path === `${CAMARA_BASE_PATH}/check` || path === `${CAMARA_BASE_PATH}/retrieve-date`)) {
      return this.simSwap(req, res, body, path.endsWith("/check") ? "check" : "retrieve");
    }
    return error(res, 404, "NOT_FOUND", "The specified resource is not found.");
  }

  private token(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const form = new URLSearchParams(body);
    const basic = /^Basic (.+)$/i.exec(String(req.headers.authorization ?? ""));
    let clientId: string | null = null;
    let clientSecret: string | null = null;
    if (basic) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      const dec = (v: string) => decodeURIComponent(v.replace(/\+/g, " "));
      [clientId, clientSecret] = i < 0 ? [dec(decoded), ""] : [dec(decoded.slice(0, i)), dec(decoded.slice(i + 1))];
    } else if (form.has("client_id")) {
      [clientId, clientSecret] = [form.get("client_id"), form.get("client_secret")];
    }
    const record = (status: number) =>
      this.tokenRequests.push({ auth: basic ? "basic" : form.has("client_id") ? "body" : "none", clientId, grantType: form.get("grant_type"), scope: form.get("scope"), status });
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
      record(400);
      return json(res, 400, { error: "invalid_request", error_description: "form body expected" });
    }
    if (clientId !== this.creds.clientId || clientSecret !== this.creds.clientSecret) {
      record(401);
      if (basic) res.setHeader("WWW-Authenticate", 'Basic realm="token"');
      return json(res, 401, { error: "invalid_client", error_description: "Client authentication failed" });
    }
    if (form.get("grant_type") !== "client_credentials") {
      record(400);
      return json(res, 400, { error: "unsupported_grant_type" });
    }
    record(200);
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, Date.now() + this.expiresInSeconds * 1000);
    this.issued.push(token);
    res.setHeader("Cache-Control", "no-store");
    return json(res, 200, { access_token: token, token_type: "Bearer", expires_in: this.expiresInSeconds });
  }

  private async simSwap(req: http.IncomingMessage, res: http.ServerResponse, raw: string, op: "check" | "retrieve"): Promise<void> {
    const correlator = typeof req.headers["x-correlator"] === "string" ? req.headers["x-correlator"] : null;
    if (correlator) res.setHeader("x-correlator", correlator);
    let input: Record<string, unknown> = {};
    try {
      input = raw ? JSON.parse(raw) : {};
    } catch {
      input = { invalid: true };
    }
    const answer = (status: number, send: () => void) => {
      if (op === "check") this.checks.push({ phoneNumber: input.phoneNumber, maxAge: input.maxAge, correlator, status, at: new Date() });
      send();
    };
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    const expiresAt = bearer ? this.tokens.get(bearer) : undefined;
    if (!expiresAt || expiresAt <= Date.now()) {
      return answer(401, () => error(res, 401, "UNAUTHENTICATED", "Request not authenticated due to missing, invalid, or expired credentials. A new authentication is required."));
    }
    if (this.down) return answer(503, () => error(res, 503, "UNAVAILABLE", "Service Unavailable."));
    if (this.quotaExceeded) return answer(429, () => error(res, 429, "QUOTA_EXCEEDED", "Rejected due to exceeding a business quota limit."));
    if (input.invalid || (input.phoneNumber !== undefined && (typeof input.phoneNumber !== "string" || !PHONE.test(input.phoneNumber)))) {
      return answer(400, () => error(res, 400, "INVALID_ARGUMENT", "Client specified an invalid argument, request body or query param."));
    }
    if (input.phoneNumber === undefined) return answer(422, () => error(res, 422, "MISSING_IDENTIFIER", "The device cannot be identified."));
    const phone = input.phoneNumber as string;
    if (this.unknownNumbers.has(phone)) return answer(404, () => error(res, 404, "IDENTIFIER_NOT_FOUND", "Device identifier not found."));
    const changed = this.simChanges.get(phone) ?? null;
    if (op === "retrieve") return answer(200, () => json(res, 200, { latestSimChange: changed?.toISOString() ?? null }));
    const maxAge = input.maxAge ?? 240;
    if (typeof maxAge !== "number" || !Number.isInteger(maxAge)) return answer(400, () => error(res, 400, "INVALID_ARGUMENT", "Client specified an invalid argument, request body or query param."));
    if (maxAge < 1 || maxAge > 2400) return answer(400, () => error(res, 400, "OUT_OF_RANGE", "Client specified an invalid range."));
    if (maxAge > this.maxAgeLimitHours) {
      return answer(400, () => error(res, 400, "OUT_OF_RANGE", `Check monitor period could not exceed local regulations (${this.maxAgeLimitHours} hours)`));
    }
    const swapped = !!changed && Date.now() - changed.getTime() <= maxAge * 3_600_000;
    return answer(200, () => json(res, 200, { swapped }));
  }
}

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
  json(res, status, { status, code, message });
}
