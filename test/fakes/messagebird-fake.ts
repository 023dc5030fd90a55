/**
 * MessageBirdFake — a local stand-in for MessageBird's REST API (https://rest.messagebird.com)
 * and its signed status reports, for the gateway's `messagebird` provider (which calls the API
 * with fetch, as the docs describe it):
 *  - `Authorization: AccessKey <key>`; a wrong key is 401 `{ "errors": [{ "code": 2,
 *    "description": "Request not allowed (incorrect access_key)", "parameter": "access_key" }] }`.
 *  - `GET /balance` → `{ payment, type, amount }`; `POST /messages` (SMS) and `POST /voicemessages`
 *    take JSON `{ originator, recipients, body, reference, reportUrl, … }` and answer 201 with the
 *    message object (`id`, `recipients.items[].status`); a missing recipient or originator is 422
 *    with code 9 and the parameter.
 *  - Status reports: `GET reportUrl?id=…&reference=…&recipient=…&status=…&statusDatetime=…`
 *    (+ `statusReason`, `statusErrorCode` on failures) carrying `MessageBird-Signature-JWT`: an
 *    HS256 JWT signed with the signing key, `iss: "MessageBird"`, `nbf`, `exp` (a minute later),
 *    `jti`, `url_hash` = hex SHA-256 of the exact URL, `payload_hash` of the body when there is one.
 */
import http from "node:http";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { LoopbackFake, httpPost, notify, readBody, sendJson as json, waitFor, type Waiter } from "./fake-http";

export interface MessageBirdMessage {
  id: string;
  kind: "sms" | "voice";
  originator: string;
  recipient: string;
  body: string;
  reference?: string;
  reportUrl?: string;
  language?: string;
  datacoding?: string;
  at: Date;
}

export interface MessageBirdErrorSpec { status: number; code: number; description?: string; parameter?: string | null }
export type MessageBirdOutcome = { status: string; statusErrorCode?: string; statusReason?: string } | null;
export interface MessageBirdReport { url: string; status: number; error?: string }

const hex = (s: string) => createHash("sha256").update(s).digest("hex");

export class MessageBirdFake extends LoopbackFake {
  readonly messages: MessageBirdMessage[] = [];
  readonly reports: MessageBirdReport[] = [];
  requests = 0;
  private failQueue: MessageBirdErrorSpec[] = [];
  private outage: MessageBirdErrorSpec | null = null;
  private outcomes = new Map<string, MessageBirdOutcome>();
  private msgWaiters: Waiter<MessageBirdMessage>[] = [];
  private reportWaiters: Waiter<MessageBirdReport>[] = [];

  private constructor(private readonly opts: { accessKey: string; signingKey: string; callbackDelayMs: number }) {
    super();
  }

  static async start(opts: { accessKey: string; signingKey: string; callbackDelayMs?: number }): Promise<MessageBirdFake> {
    const fake = new MessageBirdFake({ callbackDelayMs: 20, ...opts });
    await fake.listen(
      (req, res) => fake.handle(req, res), (res, e) => json(res, 500, { errors: [{ code: 99, description: String(e), parameter: null }] }));
    return fake;
  }

  failNext(n: number, spec: MessageBirdErrorSpec): void {
    for (let i = 0; i < n; i++) this.failQueue.push(spec);
  }

  setOutage(spec: MessageBirdErrorSpec | null): void {
    this.outage = spec;
  }

  /** The report for a recipient (digits, or with "+"): "delivered" by default; null sends none. */
  setOutcome(to: string, outcome: MessageBirdOutcome): void {
    this.outcomes.set(to.replace(/^\+/, ""), outcome);
  }

  clear(): void {
    this.messages.length = 0;
    this.reports.length = 0;
    this.requests = 0;
    this.failQueue = [];
    this.outage = null;
    this.outcomes.clear();
  }

  waitForMessage(pred: (m: MessageBirdMessage) => boolean = () => true, timeoutMs = 5000): Promise<MessageBirdMessage> {
    return waitFor(this.messages, this.msgWaiters, pred, timeoutMs, "MessageBird message");
  }

  waitForReport(pred: (r: MessageBirdReport) => boolean = () => true, timeoutMs = 5000): Promise<MessageBirdReport> {
    return waitFor(this.reports, this.reportWaiters, pred, timeoutMs, "MessageBird status report");
  }

  /** The MessageBird-Signature-JWT for a request to `url` (tests forge and age them with `key` and `at`). */
  sign(url: string, body = "", opts: { key?: string; at?: Date } = {}): Promise<string> {
    const nbf = Math.floor((opts.at ?? new Date()).getTime() / 1000);
    return new SignJWT({ url_hash: hex(url), ...(body && { payload_hash: hex(body) }) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer("MessageBird").setNotBefore(nbf).setExpirationTime(nbf + 60).setJti(randomUUID())
      .sign(new TextEncoder().encode(opts.key ?? this.opts.signingKey));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    this.requests++;
    if (req.headers.authorization !== `AccessKey ${this.opts.accessKey}`) {
      return json(res, 401, { errors: [{ code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" }] });
    }
    const route = `${req.method} ${new URL(req.url ?? "/", this.url).pathname}`;
    if (route === "GET /balance") return json(res, 200, { payment: "prepaid", type: "credits", amount: 42 });
    if (route !== "POST /messages" && route !== "POST /voicemessages") return json(res, 404, { errors: [{ code: 98, description: "The API is not found", parameter: null }] });
    const injected = this.failQueue.shift() ?? this.outage;
    if (injected) return json(res, injected.status, { errors: [{ code: injected.code, description: injected.description ?? "scripted failure", parameter: injected.parameter ?? null }] });
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return json(res, 400, { errors: [{ code: 21, description: "Bad request (invalid JSON)", parameter: null }] });
    }
    const recipients = Array.isArray(p.recipients) ? p.recipients.map(String).filter((r) => /^[1-9]\d{6,14}$/.test(r)) : [];
    if (!p.originator) return json(res, 422, { errors: [{ code: 9, description: "originator is required", parameter: "originator" }] });
    if (!recipients.length) return json(res, 422, { errors: [{ code: 9, description: "no (correct) recipients found", parameter: "recipients" }] });
    if (!p.body) return json(res, 422, { errors: [{ code: 9, description: "body is required", parameter: "body" }] });
    const voice = route === "POST /voicemessages";
    const msg: MessageBirdMessage = {
      id: randomBytes(16).toString("hex"), kind: voice ? "voice" : "sms", originator: String(p.originator), recipient: recipients[0], body: String(p.body),
      ...(typeof p.reference === "string" && { reference: p.reference }),
      ...(typeof p.reportUrl === "string" && { reportUrl: p.reportUrl }),
      ...(typeof p.language === "string" && { language: p.language }),
      ...(typeof p.datacoding === "string" && { datacoding: p.datacoding }),
      at: new Date(),
    };
    const now = msg.at.toISOString().replace(/\.\d+Z$/, "+00:00");
    json(res, 201, {
      id: msg.id, href: `${this.url}/${voice ? "voicemessages" : "messages"}/${msg.id}`, originator: msg.originator, body: msg.body,
      reference: msg.reference ?? null, createdDatetime: now,
      ...(voice ? { language: msg.language ?? "en-gb", voice: p.voice ?? "female", repeat: p.repeat ?? 1, ifMachine: p.ifMachine ?? "continue" } : { direction: "mt", type: "sms", datacoding: msg.datacoding ?? "plain", mclass: 1, gateway: 10 }),
      recipients: { totalCount: 1, totalSentCount: 1, totalDeliveredCount: 0, totalDeliveryFailedCount: 0, items: [{ recipient: Number(msg.recipient), status: voice ? "calling" : "sent", statusDatetime: now }] },
    });
    this.messages.push(msg);
    notify(this.msgWaiters, msg);
    this.report(msg);
  }

  private report(msg: MessageBirdMessage): void {
    const outcome = this.outcomes.has(msg.recipient) ? this.outcomes.get(msg.recipient)! : { status: msg.kind === "voice" ? "answered" : "delivered" };
    if (!outcome || !msg.reportUrl) return;
    const base = msg.reportUrl;
    this.background.run(async () => {
      await this.background.delay(this.opts.callbackDelayMs);
      if (this.background.stopped) return;
      const u = new URL(base);
      const q: Record<string, string> = {
        id: msg.id, ...(msg.reference && { reference: msg.reference }), recipient: msg.recipient, status: outcome.status,
        statusDatetime: new Date().toISOString().replace(/\.\d+Z$/, "+00:00"),
        ...(outcome.statusReason && { statusReason: outcome.statusReason }), ...(outcome.statusErrorCode && { statusErrorCode: outcome.statusErrorCode }),
      };
      for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
      const url = u.toString();
      const result = await httpPost(url, { "MessageBird-Signature-JWT": await this.sign(url), "User-Agent": "MessageBird/ApiHandler" }, "", "GET");
      const rec: MessageBirdReport = { url, status: result.status, ...(result.error && { error: result.error }) };
      this.reports.push(rec);
      notify(this.reportWaiters, rec);
    });
  }
}
