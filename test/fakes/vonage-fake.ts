/**
 * VonageFake — a local stand-in for Vonage's (legacy, "Nexmo") SMS API and its delivery
 * receipts, so integration tests can drive the REAL `@vonage/server-sdk` against it.
 *
 * Pointing the SDK at it (@vonage/server-sdk 3.x; see node_modules/@vonage/server-client/
 * dist/cjs/client.js, constructor): every sub-client takes ConfigParams as its 2nd argument,
 *   restHost  (default "https://rest.nexmo.com")  -> SMS:   `${restHost}/sms/json`
 *   apiHost   (default "https://api.nexmo.com")   -> Voice: `${apiHost}/v1/calls`, Verify, ...
 * so the gateway maps VONAGE_API_BASE_URL onto BOTH hosts:
 *   new Vonage({ apiKey, apiSecret }, { restHost: fake.url, apiHost: fake.url })
 *
 * How the real SDK talks to /sms/json (node_modules/@vonage/sms/dist/cjs/sms.js, SMS.send):
 *  - JSON body with kebab-cased keys (clientRef -> "client-ref"), credentials in an HTTP
 *    Basic header (authType BASIC), not api_key/api_secret in the body. Older clients and
 *    curl send form/JSON bodies with api_key/api_secret; the fake accepts all three.
 *  - Vonage answers HTTP 200 even for rejected messages; the SDK reads `messages[].status`
 *    and throws an SMSFailure (MessageSendPartialFailure / MessageSendAllFailure) whose
 *    `.response.messages[0]` holds `status` and `errorText`. Caveat: it compares the number
 *    of failures with `messageCount`, which Vonage sends as the STRING "1", so a single
 *    failed message surfaces as MessageSendPartialFailure — catch SMSFailure, not a subclass.
 *  - Non-2xx HTTP responses throw @vonage/vetch VetchError with `.response.status`.
 *
 * DLR signing (Vonage "signed webhooks"): `signVonageParams` below mirrors the verifier the
 * SDK ships, SMS.prototype.verifySignature in node_modules/@vonage/sms/dist/cjs/sms.js:
 * drop `sig`, sort keys, concatenate "&key=value" with every & and = inside a value replaced
 * by "_", then HMAC(secret) over that string, hex (md5hash instead appends the secret and
 * takes a plain MD5). Vonage sends HMAC signatures upper-case hex (md5hash lower-case); the
 * SDK compares case-insensitively, so a receiver must too. The receiver can check with
 *   vonage.sms.verifySignature(params.sig, params, secret, AlgorithmTypes.sha256hmac)
 * Note the SDK's *outgoing* request signer (Auth.createSignatureHash in @vonage/auth) is a
 * different string (URL-encoded values, no leading "&") — do not use it for webhooks.
 *
 * The Messages API (POST /v1/messages: WhatsApp template messages, JWT or Basic auth, JWT-signed
 * status callbacks) lives in vonage-messages-fake.ts, reached as `fake.whatsapp` when the
 * `messages` option is given.
 *
 * Voice is not implemented (POST /v1/calls needs JWT auth); routes live in a table so a
 * handler for "POST /v1/calls" can be added next to "POST /sms/json".
 */
import http from "node:http";
import { createHash, createHmac, randomBytes } from "node:crypto";
// Small HTTP/waiting helpers are shared with the Twilio fake rather than duplicated.
import { LoopbackFake, httpPost, notify, readBody, sendJson as json, waitFor, type Waiter } from "./fake-http";
import { VonageMessagesFake, type VonageMessagesOptions } from "./vonage-messages-fake";

export type VonageSignatureAlgorithm = "md5hash" | "md5hmac" | "sha1hmac" | "sha256hmac" | "sha512hmac";
/** How DLRs are delivered; matches the dashboard's "HTTP Method" setting for SMS webhooks. */
export type VonageDlrMethod = "POST-JSON" | "POST" | "GET";

export interface VonageFakeOptions {
  apiKey: string;
  apiSecret: string;
  /** When set, DLRs carry timestamp, nonce and sig (signed webhooks). */
  signatureSecret?: string;
  signatureAlgorithm?: VonageSignatureAlgorithm;
  dlrUrl?: string;
  dlrMethod?: VonageDlrMethod;
  /** Delay before the DLR is sent (default 50ms). */
  callbackDelayMs?: number;
  /** Seconds added to the fake's clock for the signed `timestamp` (a vendor clock off, or a receipt captured and replayed later). */
  clockSkewSeconds?: number;
  /** Turns on the Messages API (WhatsApp); needs `signatureSecret` for its signed callbacks. */
  messages?: Omit<VonageMessagesOptions, "apiKey" | "apiSecret" | "signatureSecret" | "callbackDelayMs">;
}

/** Either an SMS-API rejection (HTTP 200, non-zero status) or a transport failure (HTTP 5xx). */
export type VonageErrorSpec = { status: string; errorText?: string } | { httpStatus: number; body?: string };

export type VonageDlrStatus = "delivered" | "expired" | "failed" | "rejected" | "accepted" | "buffered" | "unknown";

export interface VonageRecord {
  messageId: string;
  /** Destination as Vonage reports it: digits only, no leading "+". */
  to: string;
  from: string;
  text?: string;
  clientRef?: string;
  callback?: string;
  /** "unicode" for text outside GSM-7 (otherwise Vonage sends it as GSM and it arrives garbled). */
  type?: string;
  kind: "sms";
  at: Date;
}

export interface VonageCallbackRecord {
  url: string;
  params: Record<string, string>;
  /** HTTP status our server answered; 0 when the request could not be made at all. */
  status: number;
  error?: string;
}

/** Vonage SMS API status codes -> their documented error-text. */
const ERROR_TEXT: Record<string, string> = {
  "1": "Throttled",
  "2": "Missing Parameters",
  "3": "Invalid Parameters",
  "4": "Bad Credentials",
  "5": "Internal Error",
  "6": "Invalid Message",
  "8": "Partner Account Barred",
  "9": "Partner Quota Violation",
  "29": "Non-White-listed Destination",
};

/** Sign webhook params exactly as @vonage/sms's verifySignature expects (see header). */
export function signVonageParams(
  params: Record<string, string>,
  secret: string,
  algorithm: VonageSignatureAlgorithm = "sha256hmac",
): string {
  let signed = "";
  for (const key of Object.keys(params).filter((k) => k !== "sig").sort()) {
    signed += "&" + key + "=" + String(params[key]).replace(/[&=]/g, "_");
  }
  if (algorithm === "md5hash") return createHash("md5").update(signed + secret).digest("hex");
  const hash = algorithm.replace("hmac", "");
  return createHmac(hash, secret).update(signed).digest("hex").toUpperCase();
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Record<string, string>) => void;

export class VonageFake extends LoopbackFake {
  readonly messages: VonageRecord[] = [];
  readonly callbacks: VonageCallbackRecord[] = [];
  /** Send attempts (POST /sms/json), including rejected and failed ones. */
  requests = 0;

  private dlrUrl?: string;
  private failQueue: VonageErrorSpec[] = [];
  private outage: VonageErrorSpec | null = null;
  private outcomes = new Map<string, { status: VonageDlrStatus; errCode: string }>();
  /** Per destination (digits): the send answer's `message-price` (an estimate) and the receipt's `price` (what it cost). */
  private prices = new Map<string, { messagePrice: string; dlrPrice: string }>();
  private msgWaiters: Waiter<VonageRecord>[] = [];
  private cbWaiters: Waiter<VonageCallbackRecord>[] = [];
  /** "METHOD /path" -> handler. Add "POST /v1/calls" here to fake the Voice API. */
  private readonly routes: Record<string, Handler> = {
    "POST /sms/json": (req, res, body) => this.sendSms(req, res, body),
    "GET /account/get-balance": (req, res, body) => this.getBalance(req, res, body),
  };

  /** The Messages API (WhatsApp), when the `messages` option turned it on. */
  readonly whatsapp?: VonageMessagesFake;

  private constructor(private readonly opts: VonageFakeOptions & { callbackDelayMs: number }) {
    super();
    this.dlrUrl = opts.dlrUrl;
    if (opts.messages) {
      this.whatsapp = new VonageMessagesFake(
        { ...opts.messages, apiKey: opts.apiKey, apiSecret: opts.apiSecret, signatureSecret: opts.signatureSecret ?? "", callbackDelayMs: opts.callbackDelayMs },
        (ms, task) => this.later(ms, task),
      );
    }
  }

  /** Runs `task` after `ms` unless the fake stops first; stop() waits for it. */
  private later(ms: number, task: () => Promise<void>): void {
    this.background.run(async () => {
      await this.background.delay(ms);
      if (!this.background.stopped) await task();
    });
  }

  static async start(opts: VonageFakeOptions): Promise<VonageFake> {
    const fake = new VonageFake({ callbackDelayMs: 50, ...opts });
    await fake.listen((req, res) => fake.handle(req, res), (res, err) => json(res, 500, { "error-text": String(err) }));
    return fake;
  }

  /** Signs the next DLRs with another method or a skewed clock, as an account reconfigured at Vonage would. */
  setSigning(change: { signatureAlgorithm?: VonageSignatureAlgorithm; clockSkewSeconds?: number }): void {
    Object.assign(this.opts, change);
  }

  /** Account-level DLR webhook; a per-message `callback` parameter overrides it (as at Vonage). */
  setDlrUrl(url: string | undefined): void {
    this.dlrUrl = url;
  }

  failNext(n: number, spec: VonageErrorSpec): void {
    for (let i = 0; i < n; i++) this.failQueue.push(spec);
  }

  /** Fail every send until turned off; default is an HTTP 503 (transport-level outage). */
  setOutage(on: boolean, spec: VonageErrorSpec = { httpStatus: 503 }): void {
    this.outage = on ? spec : null;
  }

  /** Script the DLR for `to` (with or without "+"); default delivered / err-code "0". */
  setOutcome(to: string, outcome: { status: VonageDlrStatus; errCode: string }): void {
    this.outcomes.set(msisdn(to), outcome);
  }

  /** Like TwilioFake.clear(): DLRs already scheduled still fire, so match by messageId. */
  clear(): void {
    this.messages.length = 0;
    this.callbacks.length = 0;
    this.requests = 0;
    this.failQueue = [];
    this.outage = null;
    this.outcomes.clear();
    this.whatsapp?.clear();
  }

  waitForMessage(pred: (r: VonageRecord) => boolean = () => true, timeoutMs = 5000): Promise<VonageRecord> {
    return waitFor(this.messages, this.msgWaiters, pred, timeoutMs, "Vonage SMS");
  }

  /** Resolves once a matching DLR has been sent AND answered by the receiver. */
  waitForCallback(
    pred: (c: VonageCallbackRecord) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<VonageCallbackRecord> {
    return waitFor(this.callbacks, this.cbWaiters, pred, timeoutMs, "Vonage DLR");
  }

  // ---------------------------------------------------------------- request handling

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", this.url);
    const raw = await readBody(req);
    if (req.method === "POST" && u.pathname === "/v1/messages" && this.whatsapp) return this.whatsapp.handle(req, res, raw);
    // Vonage accepts parameters in the query string, a form body or a JSON body; merge them.
    const body: Record<string, string> = Object.fromEntries(u.searchParams);
    if (raw) {
      const isJson = (req.headers["content-type"] ?? "").includes("json");
      const parsed = isJson ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
      for (const [k, v] of Object.entries(parsed)) if (v !== undefined && v !== null) body[k] = String(v);
    }
    const route = this.routes[`${req.method} ${u.pathname}`];
    if (!route) return json(res, 404, { type: "https://developer.vonage.com/api-errors#not-found", title: "Not Found" });
    route(req, res, body);
  }

  private sendSms(req: http.IncomingMessage, res: http.ServerResponse, p: Record<string, string>): void {
    this.requests++;
    // Auth first, as Vonage does: Basic header (what the SDK sends) or api_key/api_secret params.
    const [key, secret] = basicCredentials(req) ?? [p.api_key, p.api_secret];
    if (!key || !secret) return this.reject(res, "2", "Missing api_key");
    if (key !== this.opts.apiKey || secret !== this.opts.apiSecret) return this.reject(res, "4", "Bad Credentials");

    const injected = this.failQueue.shift() ?? this.outage;
    if (injected) {
      if ("httpStatus" in injected) {
        res.writeHead(injected.httpStatus, { "Content-Type": "text/html" });
        return void res.end(injected.body ?? `<html><body>${injected.httpStatus} Service Unavailable</body></html>`);
      }
      return this.reject(res, injected.status, injected.errorText);
    }
    if (!p.from) return this.reject(res, "2", "Missing from param");
    if (!p.to) return this.reject(res, "2", "Missing to param");
    if (!p.text && !p.body) return this.reject(res, "2", "Missing text param");
    if (!/^\+?[1-9]\d{6,14}$/.test(p.to)) return this.reject(res, "3", "Invalid to address");

    const rec: VonageRecord = {
      messageId: randomBytes(8).toString("hex").toUpperCase(),
      to: msisdn(p.to),
      from: p.from,
      kind: "sms",
      at: new Date(),
      ...(p.text !== undefined && { text: p.text }),
      ...(p["client-ref"] !== undefined && { clientRef: p["client-ref"] }),
      ...(p.callback && { callback: p.callback }),
      ...(p.type !== undefined && { type: p.type }),
    };
    json(res, 200, {
      "message-count": "1",
      messages: [{
        to: rec.to,
        "message-id": rec.messageId,
        status: "0",
        "remaining-balance": "3.14159265",
        "message-price": this.priceFor(rec.to).messagePrice,
        network: "23410",
        ...(rec.clientRef !== undefined && { "client-ref": rec.clientRef }),
      }],
    });
    this.messages.push(rec);
    notify(this.msgWaiters, rec);
    this.scheduleDlr(rec);
  }

  /**
   * What Vonage says a message to `to` costs: `messagePrice` in the send answer (`message-price`, the
   * estimate), `dlrPrice` in its receipt (`price`). Both are 8-decimal strings in the account's currency, as Vonage writes them.
   */
  setPrice(to: string, prices: { messagePrice: string; dlrPrice: string }): void {
    this.prices.set(to.replace(/^\+/, ""), prices);
  }

  private priceFor(to: string): { messagePrice: string; dlrPrice: string } {
    return this.prices.get(to) ?? { messagePrice: "0.03330000", dlrPrice: "0.03330000" };
  }

  /** Account API (what a gateway calls at start-up to prove its credentials): 401 for bad ones, like Vonage. */
  private getBalance(req: http.IncomingMessage, res: http.ServerResponse, p: Record<string, string>): void {
    const [key, secret] = basicCredentials(req) ?? [p.api_key, p.api_secret];
    if (key !== this.opts.apiKey || secret !== this.opts.apiSecret) {
      return json(res, 401, { "error-code": "401", "error-code-label": "authentication failed" });
    }
    json(res, 200, { value: 3.14159265, autoReload: false });
  }

  /** Vonage's error shape: HTTP 200, message-count 1, non-zero status with error-text. */
  private reject(res: http.ServerResponse, status: string, text?: string): void {
    json(res, 200, { "message-count": "1", messages: [{ status, "error-text": text ?? ERROR_TEXT[status] ?? "Unknown error" }] });
  }

  // ---------------------------------------------------------------- delivery receipts

  private scheduleDlr(rec: VonageRecord): void {
    const url = rec.callback ?? this.dlrUrl;
    if (!url) return;
    const outcome = this.outcomes.get(rec.to) ?? { status: "delivered" as const, errCode: "0" };
    this.later(this.opts.callbackDelayMs, async () => {
      const now = new Date();
      const params: Record<string, string> = {
        msisdn: rec.to,
        to: rec.from,
        "network-code": "23410",
        messageId: rec.messageId,
        price: this.priceFor(rec.to).dlrPrice,
        status: outcome.status,
        scts: scts(now),
        "err-code": outcome.errCode,
        "api-key": this.opts.apiKey,
        "message-timestamp": now.toISOString().slice(0, 19).replace("T", " "),
        ...(rec.clientRef !== undefined && { "client-ref": rec.clientRef }),
      };
      if (this.opts.signatureSecret) {
        params.timestamp = String(Math.floor(now.getTime() / 1000) + (this.opts.clockSkewSeconds ?? 0));
        params.nonce = randomBytes(16).toString("hex");
        params.sig = signVonageParams(params, this.opts.signatureSecret, this.opts.signatureAlgorithm ?? "sha256hmac");
      }
      await this.postDlr(url, params);
    });
  }

  private async postDlr(url: string, params: Record<string, string>): Promise<void> {
    const method = this.opts.dlrMethod ?? "POST-JSON";
    const headers = { "User-Agent": "Vonage-DLR/1.0" };
    let result: { status: number; error?: string };
    if (method === "GET") {
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      result = await httpPost(u.toString(), headers, "", "GET");
    } else if (method === "POST") {
      result = await httpPost(url, { ...headers, "Content-Type": "application/x-www-form-urlencoded" }, new URLSearchParams(params).toString());
    } else {
      result = await httpPost(url, { ...headers, "Content-Type": "application/json" }, JSON.stringify(params));
    }
    const rec: VonageCallbackRecord = { url, params, status: result.status, ...(result.error && { error: result.error }) };
    this.callbacks.push(rec);
    notify(this.cbWaiters, rec);
  }
}

// ------------------------------------------------------------------ helpers

function msisdn(to: string): string {
  return to.replace(/^\+/, "");
}

/** Service-centre timestamp, YYMMDDhhmm — the format Vonage uses in DLRs. */
function scts(d: Date): string {
  return d.toISOString().replace(/\D/g, "").slice(2, 12);
}

function basicCredentials(req: http.IncomingMessage): [string, string] | null {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const i = decoded.indexOf(":");
  return i < 0 ? null : [decoded.slice(0, i), decoded.slice(i + 1)];
}

