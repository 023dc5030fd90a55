/**
 * The Vonage Messages API part of the Vonage stand-in (POST /v1/messages, WhatsApp template
 * messages) and its signed status callbacks, driven by the real @vonage/server-sdk.
 *
 * What is faithful (developer.vonage.com: Messages API reference, Authentication, Signed
 * webhooks, API errors):
 *  - Auth first: `Authorization: Bearer <JWT>` signed RS256 with the application's private key
 *    (the SDK's tokenGenerate: `application_id`, `iat`, `exp`, `jti` claims) and checked here
 *    with the application's PUBLIC key, or `Basic key:secret`. Anything else is 401 with an
 *    RFC 7807 body (`type` …#unauthorized).
 *  - Then validation, as RFC 7807 problems with HTTP 422: `type`
 *    "https://developer.vonage.com/api-errors/messages#1010" (missing), #1020 (invalid),
 *    #1022 (template unknown, or not approved in the requested language), plus
 *    `invalid_parameters`.
 *  - 202 `{ "message_uuid" }` on success.
 *  - Status callbacks: JSON POSTs to the message's `webhook_url` (or the application's status
 *    URL), `Authorization: Bearer <JWT>` signed HS256 with the account's signature secret, claims
 *    `iat`, `jti`, `iss: "Vonage"`, `payload_hash` (SHA-256 hex of the exact body), `api_key`,
 *    `application_id`. Statuses submitted → delivered → read, or rejected / undeliverable
 *    with an `error` { type, title, detail, instance }.
 *  - RCS (`channel: "rcs"`, `message_type: "text"`, `from` an RCS agent of the account, `text` up
 *    to 3072 characters, optional `ttl` 20–259200 s): 202 and callbacks with `channel: "rcs"`,
 *    submitted → delivered → read. A device without RCS comes back `rejected` with an error
 *    object, as Vonage reports an RCS message it couldn't deliver (the failover guide's "RCS
 *    rejected"). Its code here, 1300, is the stand-in's: the pages read didn't name the code
 *    Vonage uses, and the gateway treats any `rejected` as final whatever its code.
 * Signing uses `jose`, independent of the @vonage/jwt verifier the gateway uses.
 */
import http from "node:http";
import { createHash, createPublicKey, randomBytes, randomUUID, type KeyObject } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import { httpPost, notify, sendJson, waitFor, type Waiter } from "./fake-http";

export interface VonageMessagesOptions {
  apiKey: string;
  apiSecret: string;
  applicationId: string;
  /** The application's public key (PEM); JWTs from the SDK must verify against it. */
  publicKey: string;
  signatureSecret: string;
  /** Approved WhatsApp templates: name → languages ("en", "pt_BR"). */
  templates: Record<string, string[]>;
  /** Numbers (digits) that have a WhatsApp sender on this account. */
  senders: string[];
  /** RCS agent ids on this account (the `from` of RCS messages). */
  rcsAgents?: string[];
  /** The application's status webhook, for messages that name none. */
  statusUrl?: string;
  callbackDelayMs: number;
}

export interface VonageMessageRecord {
  messageUuid: string;
  to: string;
  from: string;
  channel: string;
  templateName: string;
  parameters: string[];
  locale: string;
  /** What the handset shows (the authentication template's fixed wording with the code). */
  text: string;
  clientRef?: string;
  webhookUrl?: string;
  /** RCS: how long Vonage was told to keep trying (seconds). */
  ttl?: number;
  auth: "jwt" | "basic";
  at: Date;
}

export interface VonageMessagesCallbackRecord {
  url: string;
  body: Record<string, unknown>;
  /** The Bearer token sent with it, so tests can replay or tamper with it. */
  token: string;
  status: number;
  error?: string;
}

/** Scripted failure: an HTTP answer with Vonage's problem body (`code` becomes the `type` fragment). */
export interface VonageMessagesErrorSpec { httpStatus: number; code?: string; title?: string; detail?: string }

/** "submitted": the handset never reports (offline), only the hand-off callback comes. */
export type VonageMessagesOutcome = "read" | "delivered" | "submitted" | { status: "rejected" | "undeliverable"; code: string; detail: string };

const PROBLEM = "https://developer.vonage.com/api-errors";

export class VonageMessagesFake {
  readonly messages: VonageMessageRecord[] = [];
  readonly callbacks: VonageMessagesCallbackRecord[] = [];
  /** Send attempts (POST /v1/messages), including refused ones. */
  requests = 0;
  private failQueue: VonageMessagesErrorSpec[] = [];
  private outage: VonageMessagesErrorSpec | null = null;
  private outcomes = new Map<string, VonageMessagesOutcome>();
  private msgWaiters: Waiter<VonageMessageRecord>[] = [];
  private cbWaiters: Waiter<VonageMessagesCallbackRecord>[] = [];
  private readonly publicKey: KeyObject;
  /** Numbers (digits) whose device has no RCS. */
  private readonly withoutRcs = new Set<string>();

  constructor(
    private readonly opts: VonageMessagesOptions,
    /** Runs a delayed task under the owning fake's timers, so stop() cuts it short. */
    private readonly later: (ms: number, task: () => Promise<void>) => void,
  ) {
    this.publicKey = createPublicKey(opts.publicKey);
  }

  failNext(n: number, spec: VonageMessagesErrorSpec): void {
    for (let i = 0; i < n; i++) this.failQueue.push(spec);
  }

  setOutage(on: boolean, spec: VonageMessagesErrorSpec = { httpStatus: 503 }): void {
    this.outage = on ? spec : null;
  }

  /** What WhatsApp does with messages to `to` (with or without "+"); default: delivered, then read. */
  setOutcome(to: string, outcome: VonageMessagesOutcome): void {
    this.outcomes.set(to.replace(/^\+/, ""), outcome);
  }

  /** Whether the handset at `to` (with or without "+") can receive RCS; default: it can. */
  setRcsCapable(to: string, capable: boolean): void {
    if (capable) this.withoutRcs.delete(to.replace(/^\+/, ""));
    else this.withoutRcs.add(to.replace(/^\+/, ""));
  }

  clear(): void {
    this.messages.length = 0;
    this.callbacks.length = 0;
    this.requests = 0;
    this.failQueue = [];
    this.outage = null;
    this.outcomes.clear();
  }

  waitForMessage(pred: (r: VonageMessageRecord) => boolean = () => true, timeoutMs = 5000): Promise<VonageMessageRecord> {
    return waitFor(this.messages, this.msgWaiters, pred, timeoutMs, "Vonage WhatsApp message");
  }

  waitForCallback(pred: (c: VonageMessagesCallbackRecord) => boolean = () => true, timeoutMs = 5000): Promise<VonageMessagesCallbackRecord> {
    return waitFor(this.callbacks, this.cbWaiters, pred, timeoutMs, "Vonage Messages status callback");
  }

  /** A status callback signed as Vonage signs them (`iat` may be moved, `secret` replaced, for forgery tests). */
  async signedCallback(body: Record<string, unknown>, o: { iatSeconds?: number; secret?: string } = {}): Promise<{ text: string; token: string }> {
    const text = JSON.stringify(body);
    const token = await new SignJWT({
      payload_hash: createHash("sha256").update(text).digest("hex"), api_key: this.opts.apiKey, application_id: this.opts.applicationId,
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(o.iatSeconds ?? Math.floor(Date.now() / 1000))
      .setJti(randomUUID())
      .setIssuer("Vonage")
      .sign(new TextEncoder().encode(o.secret ?? this.opts.signatureSecret));
    return { text, token };
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    this.requests++;
    const auth = await this.authenticate(req.headers.authorization);
    if (!auth) return problem(res, 401, "unauthorized", "Unauthorized", "You did not provide correct credentials.");
    const injected = this.failQueue.shift() ?? this.outage;
    if (injected) {
      if (injected.code === undefined && injected.httpStatus >= 500) {
        res.writeHead(injected.httpStatus, { "Content-Type": "text/html" });
        return void res.end(`<html><body>${injected.httpStatus} Service Unavailable</body></html>`);
      }
      return problem(res, injected.httpStatus, injected.code ? `messages#${injected.code}` : "throttled", injected.title ?? "Error", injected.detail ?? "Injected failure");
    }
    let b: Record<string, any>;
    try {
      b = JSON.parse(raw || "{}");
    } catch {
      return problem(res, 422, "messages#1020", "Invalid params", "The request body is not valid JSON.");
    }
    const missing = ["to", "from", "channel", "message_type"].filter((k) => typeof b[k] !== "string" || !b[k]);
    if (missing.length) return problem(res, 422, "messages#1010", "Missing params", "Your request is incomplete and missing some mandatory parameters.", missing);
    if (b.channel === "rcs") return this.handleRcs(res, b, auth);
    if (b.channel !== "whatsapp" || b.message_type !== "template") return problem(res, 422, "messages#1020", "Invalid params", "Only WhatsApp template messages are faked.", ["message_type"]);
    if (!/^[1-9]\d{6,14}$/.test(b.to)) return problem(res, 422, "messages#1020", "Invalid params", "The value of one or more parameters is invalid.", ["to"]);
    if (!this.opts.senders.includes(b.from)) return problem(res, 422, "messages#1120", "Illegal Sender Address - rejected", "The from number is not a WhatsApp sender on this account.", ["from"]);
    const name = b.template?.name;
    const locale = b.whatsapp?.locale;
    if (typeof name !== "string" || !Array.isArray(b.template?.parameters) || b.whatsapp?.policy !== "deterministic" || typeof locale !== "string") {
      return problem(res, 422, "messages#1010", "Missing params", "template.name, template.parameters and whatsapp.{policy,locale} are required.", ["template"]);
    }
    if (!this.opts.templates[name]?.includes(locale)) return problem(res, 422, "messages#1022", "Invalid template", `Template ${name} is not approved for ${locale}.`, ["template"]);

    const rec: VonageMessageRecord = {
      messageUuid: randomUUID(), to: b.to, from: b.from, channel: b.channel, templateName: name, parameters: b.template.parameters.map(String), locale,
      text: `*${b.template.parameters[0]}* is your verification code. For your security, do not share this code.`,
      auth, at: new Date(),
      ...(b.client_ref !== undefined && { clientRef: String(b.client_ref) }),
      ...(b.webhook_url !== undefined && { webhookUrl: String(b.webhook_url) }),
    };
    json(res, 202, { message_uuid: rec.messageUuid });
    this.messages.push(rec);
    notify(this.msgWaiters, rec);
    this.scheduleCallbacks(rec);
  }

  /** An RCS text message from one of the account's agents. */
  private handleRcs(res: http.ServerResponse, b: Record<string, any>, auth: "jwt" | "basic"): void {
    if (b.message_type !== "text") return problem(res, 422, "messages#1020", "Invalid params", "Only RCS text messages are faked.", ["message_type"]);
    if (!/^[1-9]\d{6,14}$/.test(b.to)) return problem(res, 422, "messages#1020", "Invalid params", "The value of one or more parameters is invalid.", ["to"]);
    if (typeof b.text !== "string" || !b.text || b.text.length > 3072) return problem(res, 422, "messages#1020", "Invalid params", "text must be 1 to 3072 characters.", ["text"]);
    if (b.ttl !== undefined && (!Number.isInteger(b.ttl) || b.ttl < 20 || b.ttl > 259200)) return problem(res, 422, "messages#1020", "Invalid params", "ttl must be 20 to 259200 seconds.", ["ttl"]);
    if (!(this.opts.rcsAgents ?? []).includes(b.from)) return problem(res, 422, "messages#1120", "Illegal Sender Address - rejected", "The from value is not an RCS agent on this account.", ["from"]);
    const rec: VonageMessageRecord = {
      messageUuid: randomUUID(), to: b.to, from: b.from, channel: "rcs", templateName: "", parameters: [], locale: "", text: b.text, auth, at: new Date(),
      ...(b.ttl !== undefined && { ttl: b.ttl }),
      ...(b.client_ref !== undefined && { clientRef: String(b.client_ref) }),
      ...(b.webhook_url !== undefined && { webhookUrl: String(b.webhook_url) }),
    };
    json(res, 202, { message_uuid: rec.messageUuid });
    this.messages.push(rec);
    notify(this.msgWaiters, rec);
    this.scheduleCallbacks(rec);
  }

  private async authenticate(header: string | undefined): Promise<"jwt" | "basic" | null> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
    if (bearer) {
      try {
        const { payload } = await jwtVerify(bearer, this.publicKey, { algorithms: ["RS256"] });
        return payload.application_id === this.opts.applicationId ? "jwt" : null;
      } catch {
        return null;
      }
    }
    const basic = /^Basic\s+(.+)$/i.exec(header ?? "")?.[1];
    if (!basic) return null;
    const decoded = Buffer.from(basic, "base64").toString("utf8");
    return decoded === `${this.opts.apiKey}:${this.opts.apiSecret}` ? "basic" : null;
  }

  private scheduleCallbacks(rec: VonageMessageRecord): void {
    const url = rec.webhookUrl ?? this.opts.statusUrl;
    if (!url) return;
    const noRcs = rec.channel === "rcs" && this.withoutRcs.has(rec.to);
    const outcome: VonageMessagesOutcome = noRcs
      ? { status: "rejected", code: "1300", detail: "The message could not be delivered: the recipient's device does not support RCS." }
      : this.outcomes.get(rec.to) ?? "read";
    const statuses: Array<{ status: string; error?: Record<string, unknown> }> = [{ status: "submitted" }];
    if (outcome === "submitted") { /* nothing more */ }
    else if (outcome === "delivered" || outcome === "read") statuses.push({ status: "delivered" }, ...(outcome === "read" ? [{ status: "read" }] : []));
    else {
      statuses.push({
        status: outcome.status,
        error: { type: `${PROBLEM}/messages#${outcome.code}`, title: Number(outcome.code), detail: outcome.detail, instance: randomUUID() },
      });
    }
    const run = async () => {
      for (const s of statuses) {
        const body: Record<string, unknown> = {
          message_uuid: rec.messageUuid, to: rec.to, from: rec.from, timestamp: new Date().toISOString(), status: s.status, channel: rec.channel,
          ...(rec.clientRef !== undefined && { client_ref: rec.clientRef }),
          ...(s.error && { error: s.error }),
          ...(s.status === "delivered" && { usage: { currency: "EUR", price: "0.0147" } }),
        };
        await this.post(url, body);
      }
    };
    this.later(this.opts.callbackDelayMs, run);
  }

  private async post(url: string, body: Record<string, unknown>): Promise<void> {
    const { text, token } = await this.signedCallback(body);
    const result = await httpPost(url, { "Content-Type": "application/json", Authorization: `Bearer ${token}`, "User-Agent": "Vonage-Messages/1.0" }, text);
    const rec: VonageMessagesCallbackRecord = { url, body, token, status: result.status, ...(result.error && { error: result.error }) };
    this.callbacks.push(rec);
    notify(this.cbWaiters, rec);
  }
}

function problem(res: http.ServerResponse, status: number, type: string, title: string, detail: string, invalid?: string[]): void {
  json(res, status, {
    type: `${PROBLEM}${type.startsWith("messages#") ? "/" : "#"}${type}`, title, detail, instance: randomBytes(16).toString("hex"),
    ...(invalid && { invalid_parameters: invalid.map((name) => ({ name, reason: "Is required or invalid" })) }),
  });
}

/** Errors are RFC 7807 problems. */
function json(res: http.ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, status >= 400 ? "application/problem+json" : "application/json");
}
