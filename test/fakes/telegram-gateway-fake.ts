/**
 * TelegramGatewayFake — a local stand-in for Telegram's Gateway API
 * (https://gatewayapi.telegram.org, core.telegram.org/gateway/api) and its signed delivery
 * reports, for the gateway's `telegram` provider (which calls it with fetch; Telegram publishes
 * no SDK):
 *  - `GET|POST /<method>` (method names case-insensitive), parameters as a query string, a form or
 *    JSON; the token as `Authorization: Bearer <token>` or the `access_token` parameter. None is
 *    `{ ok: false, error: "ACCESS_TOKEN_REQUIRED" }`, another `ACCESS_TOKEN_INVALID`.
 *  - Answers `{ ok: true, result }` or `{ ok: false, error: "<NAME>" }` (HTTP 200 / 400; the docs
 *    don't fix the status, the provider reads `ok` and `error` alone).
 *  - `sendVerificationMessage`: `phone_number` in E.164 (else PHONE_NUMBER_INVALID); `code` 4–8
 *    digits (CODE_INVALID) or `code_length` 4–8 (CODE_LENGTH_INVALID); `ttl` 30–3600
 *    (TTL_INVALID); `callback_url` an https URL of at most 256 bytes (CALLBACK_URL_INVALID);
 *    `payload` at most 128 bytes (PAYLOAD_INVALID); `sender_username` one of the account's
 *    verified channels (SENDER_USERNAME_INVALID). A number without Telegram (`noTelegram`) is
 *    PHONE_NUMBER_NOT_AVAILABLE; an empty balance BALANCE_NOT_ENOUGH. Result: a RequestStatus
 *    (`request_id`, `phone_number`, `request_cost`, `remaining_balance`, `delivery_status`
 *    `{ status: "sent", updated_at }`, `payload`).
 *  - `checkSendAbility`, `checkVerificationStatus` (REQUEST_ID_INVALID for an unknown id),
 *    `revokeVerificationMessage`; another method is UNKNOWN_METHOD.
 *  - Reports: a POST of the RequestStatus as JSON to `callback_url`, with `X-Request-Timestamp`
 *    (Unix seconds) and `X-Request-Signature` = hex HMAC-SHA-256 of `timestamp + "\n" + body`
 *    keyed with SHA-256 of the token; anything but 200 is retried (Telegram: up to 10 times;
 *    here `reportRetries`). `deliverTo` maps the https callback URL to where the gateway listens
 *    in a test, as the TLS-terminating proxy in front of a real gateway does.
 */
import http from "node:http";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { LoopbackFake, httpPost, notify, readBody, sendJson as json, waitFor, type Waiter } from "./fake-http";

export interface TelegramSent {
  requestId: string;
  phoneNumber: string;
  code: string;
  ttl?: number;
  callbackUrl?: string;
  payload?: string;
  senderUsername?: string;
  /** How the token came: the Authorization header or the access_token parameter. */
  auth: "header" | "param";
  at: Date;
}

export interface TelegramReport { url: string; status: number; body: string; attempt: number }
/** The delivery statuses reported for a number, in order; null reports nothing. */
export type TelegramOutcome = Array<"sent" | "delivered" | "read" | "expired" | "revoked"> | null;

const E164 = /^\+[1-9]\d{6,14}$/;

export class TelegramGatewayFake extends LoopbackFake {
  readonly messages: TelegramSent[] = [];
  readonly reports: TelegramReport[] = [];
  /** Every call, for checking what was (not) asked: method and the parameters' names. */
  readonly calls: Array<{ method: string; params: string[] }> = [];
  balance: number;
  private failQueue: Array<{ error: string; status: number }> = [];
  private outage: { error: string; status: number } | null = null;
  private outcomes = new Map<string, TelegramOutcome>();
  private msgWaiters: Waiter<TelegramSent>[] = [];
  private reportWaiters: Waiter<TelegramReport>[] = [];

  private constructor(private readonly opts: {
    token: string; callbackDelayMs: number; noTelegram: Set<string>; senders: string[]; price: number; reportRetries: number;
    deliverTo: (url: string) => string;
  }) {
    super();
    this.balance = 100;
  }

  static async start(o: {
    token: string; callbackDelayMs?: number; noTelegram?: string[]; senders?: string[]; price?: number; reportRetries?: number;
    deliverTo?: (url: string) => string;
  }): Promise<TelegramGatewayFake> {
    const fake = new TelegramGatewayFake({
      token: o.token, callbackDelayMs: o.callbackDelayMs ?? 20, noTelegram: new Set(o.noTelegram ?? []), senders: o.senders ?? [],
      price: o.price ?? 0.01, reportRetries: o.reportRetries ?? 2, deliverTo: o.deliverTo ?? ((u) => u),
    });
    await fake.listen((req, res) => fake.handle(req, res), (res) => json(res, 500, { ok: false, error: "INTERNAL_SERVER_ERROR" }));
    return fake;
  }

  /** The next `n` sends are refused with `error` (HTTP `status`). */
  failNext(n: number, error: string, status = 400): void {
    for (let i = 0; i < n; i++) this.failQueue.push({ error, status });
  }

  setOutage(outage: { error: string; status: number } | null): void {
    this.outage = outage;
  }

  setOutcome(phone: string, outcome: TelegramOutcome): void {
    this.outcomes.set(phone, outcome);
  }

  clear(): void {
    this.messages.length = 0;
    this.reports.length = 0;
    this.calls.length = 0;
    this.failQueue = [];
    this.outage = null;
    this.outcomes.clear();
  }

  waitForMessage(pred: (m: TelegramSent) => boolean = () => true, timeoutMs = 5000): Promise<TelegramSent> {
    return waitFor(this.messages, this.msgWaiters, pred, timeoutMs, "Telegram verification message");
  }

  waitForReport(pred: (r: TelegramReport) => boolean = () => true, timeoutMs = 5000): Promise<TelegramReport> {
    return waitFor(this.reports, this.reportWaiters, pred, timeoutMs, "Telegram delivery report");
  }

  /** The report headers Telegram sends for `body` (tests forge them with another `token` or an old `at`). */
  signedHeaders(body: string, o: { token?: string; at?: Date } = {}): Record<string, string> {
    const timestamp = String(Math.floor((o.at ?? new Date()).getTime() / 1000));
    const key = createHash("sha256").update(o.token ?? this.opts.token).digest();
    const signature = createHmac("sha256", key).update(`${timestamp}\n${body}`).digest("hex");
    return { "Content-Type": "application/json", "X-Request-Timestamp": timestamp, "X-Request-Signature": signature };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const u = new URL(req.url ?? "/", this.url);
    const type = req.headers["content-type"] ?? "";
    let body: Record<string, unknown> = {};
    try {
      body = !raw ? {} : type.includes("json") ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return json(res, 400, { ok: false, error: "BAD_REQUEST" });
    }
    const p: Record<string, unknown> = { ...Object.fromEntries(u.searchParams), ...body };
    const method = u.pathname.replace(/^\/+/, "").toLowerCase();
    this.calls.push({ method, params: Object.keys(p) });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const token = bearer ?? (typeof p.access_token === "string" ? p.access_token : undefined);
    if (!token) return json(res, 401, { ok: false, error: "ACCESS_TOKEN_REQUIRED" });
    if (token !== this.opts.token) return json(res, 401, { ok: false, error: "ACCESS_TOKEN_INVALID" });
    const fail = (error: string, status = 400) => json(res, status, { ok: false, error });
    switch (method) {
      case "sendverificationmessage": return this.send(p, bearer ? "header" : "param", res, fail);
      case "checksendability": {
        const phone = String(p.phone_number ?? "");
        if (!E164.test(phone)) return fail("PHONE_NUMBER_INVALID");
        if (this.opts.noTelegram.has(phone)) return fail("PHONE_NUMBER_NOT_AVAILABLE");
        return json(res, 200, { ok: true, result: { request_id: newId(), phone_number: phone, request_cost: this.opts.price } });
      }
      case "checkverificationstatus": {
        const m = this.messages.find((x) => x.requestId === p.request_id);
        if (!p.request_id) return fail("REQUEST_ID_REQUIRED");
        if (!m) return fail("REQUEST_ID_INVALID");
        const now = Math.floor(Date.now() / 1000);
        return json(res, 200, {
          ok: true,
          result: {
            request_id: m.requestId, phone_number: m.phoneNumber, request_cost: this.opts.price, delivery_status: { status: "delivered", updated_at: now },
            ...(typeof p.code === "string" && { verification_status: { status: p.code === m.code ? "code_valid" : "code_invalid", updated_at: now, code_entered: p.code } }),
          },
        });
      }
      case "revokeverificationmessage":
        if (!this.messages.some((x) => x.requestId === p.request_id)) return fail("REQUEST_ID_INVALID");
        return json(res, 200, { ok: true, result: true });
      default:
        return fail("UNKNOWN_METHOD", 404);
    }
  }

  private send(p: Record<string, unknown>, auth: "header" | "param", res: http.ServerResponse, fail: (error: string, status?: number) => void): void {
    const injected = this.failQueue.shift() ?? this.outage;
    if (injected) return fail(injected.error, injected.status);
    const phone = String(p.phone_number ?? "");
    if (!E164.test(phone)) return fail("PHONE_NUMBER_INVALID");
    const code = p.code === undefined ? undefined : String(p.code);
    if (code !== undefined && !/^\d{4,8}$/.test(code)) return fail("CODE_INVALID");
    if (code === undefined) {
      if (p.code_length === undefined) return fail("CODE_LENGTH_REQUIRED");
      if (!/^[4-8]$/.test(String(p.code_length))) return fail("CODE_LENGTH_INVALID");
    }
    const ttl = p.ttl === undefined ? undefined : Number(p.ttl);
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 30 && ttl <= 3600)) return fail("TTL_INVALID");
    const callbackUrl = p.callback_url === undefined ? undefined : String(p.callback_url);
    if (callbackUrl !== undefined && (!/^https:\/\/[^\s/]+/.test(callbackUrl) || Buffer.byteLength(callbackUrl) > 256)) return fail("CALLBACK_URL_INVALID");
    const payload = p.payload === undefined ? undefined : String(p.payload);
    if (payload !== undefined && Buffer.byteLength(payload) > 128) return fail("PAYLOAD_INVALID");
    const sender = p.sender_username === undefined ? undefined : String(p.sender_username);
    if (sender !== undefined && !this.opts.senders.includes(sender)) return fail("SENDER_USERNAME_INVALID");
    if (this.opts.noTelegram.has(phone)) return fail("PHONE_NUMBER_NOT_AVAILABLE");
    if (this.balance < this.opts.price) return fail("BALANCE_NOT_ENOUGH");
    this.balance = Math.round((this.balance - this.opts.price) * 1e6) / 1e6;
    const msg: TelegramSent = {
      requestId: newId(), phoneNumber: phone, code: code ?? randomDigits(Number(p.code_length)), auth, at: new Date(),
      ...(ttl !== undefined && { ttl }), ...(callbackUrl && { callbackUrl }), ...(payload !== undefined && { payload }), ...(sender && { senderUsername: sender }),
    };
    json(res, 200, { ok: true, result: this.status(msg, "sent", { remaining_balance: this.balance }) });
    this.messages.push(msg);
    notify(this.msgWaiters, msg);
    this.report(msg);
  }

  private status(msg: TelegramSent, word: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      request_id: msg.requestId, phone_number: msg.phoneNumber, request_cost: this.opts.price, ...extra,
      delivery_status: { status: word, updated_at: Math.floor(Date.now() / 1000) }, ...(msg.payload !== undefined && { payload: msg.payload }),
    };
  }

  private report(msg: TelegramSent): void {
    const outcome = this.outcomes.has(msg.phoneNumber) ? this.outcomes.get(msg.phoneNumber)! : (["delivered", "read"] as const);
    if (!outcome || !msg.callbackUrl) return;
    const url = this.opts.deliverTo(msg.callbackUrl);
    this.background.run(async () => {
      for (const word of outcome) {
        await this.background.delay(this.opts.callbackDelayMs);
        if (this.background.stopped) return;
        const body = JSON.stringify(this.status(msg, word, word === "expired" ? { is_refunded: true } : {}));
        for (let attempt = 1; attempt <= 1 + this.opts.reportRetries; attempt++) {
          const result = await httpPost(url, this.signedHeaders(body), body);
          const rec: TelegramReport = { url, status: result.status, body, attempt };
          this.reports.push(rec);
          notify(this.reportWaiters, rec);
          if (result.status === 200 || this.background.stopped) break;
          await this.background.delay(this.opts.callbackDelayMs * attempt);
        }
      }
    });
  }
}

const newId = () => randomBytes(8).readBigUInt64BE().toString();
const randomDigits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");
