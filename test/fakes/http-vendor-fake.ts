/**
 * HttpVendorFake — a reference "bring your own vendor" for the gateway's `http` provider: what an
 * operator's own SMS/voice/e-mail service would run. It verifies every request's Standard
 * Webhooks signature with the `standardwebhooks` package (401 when it doesn't verify, as the
 * docs' reference receiver does), answers `{ "messageId" }`, and reports each message's status
 * back to the gateway's POST /webhooks/http/status, signed with the same secret.
 *
 * Scripting: failNext(n, status) answers the next sends with that HTTP status; setOutage(status);
 * setDelay(ms) holds answers (a timeout); setOutcome(to, …) picks the status report for a
 * destination ("delivered" by default; null sends none).
 */
import http from "node:http";
import { randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { LoopbackFake, httpPost, notify, readBody, sendJson as json, waitFor, type Waiter } from "./fake-http";

export interface HttpVendorMessage {
  messageId: string;
  webhookId: string;
  body: { id: string; channel: string; to: string; text: string; locale: string; voiceScript?: string; subject?: string; html?: string };
  at: Date;
}

export interface HttpVendorCallback { body: Record<string, string>; status: number; error?: string }

export type HttpVendorOutcome = { status: "delivered" | "undelivered" | "failed"; errorCode?: string; errorMessage?: string } | null;

/** A fresh Standard Webhooks secret: "whsec_" + base64 of 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export class HttpVendorFake extends LoopbackFake {
  readonly messages: HttpVendorMessage[] = [];
  readonly callbacks: HttpVendorCallback[] = [];
  /** Every POST received, signed or not, checks included. */
  requests = 0;
  /** Requests whose signature did not verify (answered 401). */
  unsigned = 0;
  /** Start-up checks (`{ "type": "check" }`) received. */
  checks = 0;
  statusUrl?: string;

  private readonly webhook: Webhook;
  private failQueue: Array<{ status: number; body?: unknown }> = [];
  private outage: number | null = null;
  private delayMs = 0;
  private outcomes = new Map<string, HttpVendorOutcome>();
  private msgWaiters: Waiter<HttpVendorMessage>[] = [];
  private cbWaiters: Waiter<HttpVendorCallback>[] = [];

  private constructor(readonly secret: string, private readonly callbackDelayMs: number) {
    super();
    this.webhook = new Webhook(secret);
  }

  static async start(opts: { secret?: string; callbackDelayMs?: number } = {}): Promise<HttpVendorFake> {
    const fake = new HttpVendorFake(opts.secret ?? newWebhookSecret(), opts.callbackDelayMs ?? 20);
    await fake.listen((req, res) => fake.handle(req, res), (res, e) => json(res, 500, { errorMessage: String(e) }));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/messages`;
  }

  failNext(n: number, status: number, body?: unknown): void {
    for (let i = 0; i < n; i++) this.failQueue.push({ status, body });
  }

  setOutage(status: number | null): void {
    this.outage = status;
  }

  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  setOutcome(to: string, outcome: HttpVendorOutcome): void {
    this.outcomes.set(to, outcome);
  }

  clear(): void {
    this.messages.length = 0;
    this.callbacks.length = 0;
    this.requests = this.unsigned = this.checks = 0;
    this.failQueue = [];
    this.outage = null;
    this.delayMs = 0;
    this.outcomes.clear();
  }

  waitForMessage(pred: (m: HttpVendorMessage) => boolean = () => true, timeoutMs = 5000): Promise<HttpVendorMessage> {
    return waitFor(this.messages, this.msgWaiters, pred, timeoutMs, "http vendor message");
  }

  waitForCallback(pred: (c: HttpVendorCallback) => boolean = () => true, timeoutMs = 5000): Promise<HttpVendorCallback> {
    return waitFor(this.callbacks, this.cbWaiters, pred, timeoutMs, "http vendor status report");
  }

  /** Signs a status report as this vendor would (tests use it to forge and to replay). */
  signedHeaders(payload: string, at = new Date(), id = `msg_${randomUUID()}`): Record<string, string> {
    const whole = new Date(Math.floor(at.getTime() / 1000) * 1000);
    return {
      "content-type": "application/json",
      "webhook-id": id, "webhook-timestamp": String(whole.getTime() / 1000), "webhook-signature": this.webhook.sign(id, whole, payload),
    };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    this.requests++;
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/messages") return json(res, 404, { errorMessage: "not found" });
    let body: HttpVendorMessage["body"] & { type?: string };
    try {
      body = this.webhook.verify(raw, req.headers as Record<string, string>) as typeof body;
    } catch {
      this.unsigned++;
      return json(res, 401, { errorMessage: "signature does not verify" });
    }
    if (body.type === "check") {
      this.checks++;
      return void res.writeHead(204).end();
    }
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const injected = this.failQueue.shift() ?? (this.outage ? { status: this.outage, body: undefined } : undefined);
    if (injected) return json(res, injected.status, injected.body ?? { errorMessage: `scripted ${injected.status}` });
    const msg: HttpVendorMessage = { messageId: `hv_${randomBytes(8).toString("hex")}`, webhookId: String(req.headers["webhook-id"]), body, at: new Date() };
    json(res, 202, { messageId: msg.messageId });
    this.messages.push(msg);
    notify(this.msgWaiters, msg);
    this.report(msg);
  }

  private report(msg: HttpVendorMessage): void {
    const outcome = this.outcomes.has(msg.body.to) ? this.outcomes.get(msg.body.to)! : { status: "delivered" as const };
    if (!outcome || !this.statusUrl) return;
    const url = this.statusUrl;
    this.background.run(async () => {
      await this.background.delay(this.callbackDelayMs);
      if (this.background.stopped) return;
      const body: Record<string, string> = { messageId: msg.messageId, ...outcome } as Record<string, string>;
      const payload = JSON.stringify(body);
      const result = await httpPost(url, this.signedHeaders(payload), payload);
      const rec: HttpVendorCallback = { body, status: result.status, ...(result.error && { error: result.error }) };
      this.callbacks.push(rec);
      notify(this.cbWaiters, rec);
    });
  }
}
