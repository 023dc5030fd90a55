/**
 * TwilioFake — a local stand-in for the parts of the Twilio REST API (2010-04-01) that the
 * gateway uses, so integration tests can drive the REAL `twilio` SDK end to end.
 *
 * Pointing the SDK at it (twilio v6):
 *   const client = twilio(accountSid, authToken);   // accountSid must start with "AC"
 *   client.api.baseUrl = fake.url;                  // Domain.absoluteUrl() uses this verbatim
 * The SDK only installs its https.Agent for https URLs, so plain http://127.0.0.1 works.
 * Do not set `region`/`edge` (or TWILIO_REGION/TWILIO_EDGE): the SDK would rewrite the hostname.
 *
 * What is faithful (checked against node_modules/twilio/lib):
 *  - HTTP Basic auth accountSid:authToken; 401 + error 20003 otherwise.
 *  - Error bodies use Twilio's shape {code, message, more_info, status}; the SDK turns any
 *    non-2xx into RestException with `.status` (HTTP) and `.code` (Twilio error code).
 *  - Resource JSON is snake_case with RFC 2822 dates, as MessageInstance/CallInstance expect.
 *  - Status callbacks are form-urlencoded POSTs signed with X-Twilio-Signature, computed by the
 *    SDK's own getExpectedTwilioSignature(authToken, url, params) (HMAC-SHA1 over the URL +
 *    sorted key/value pairs, base64).
 *  - WhatsApp (`whatsapp:` To/From, ContentSid + ContentVariables, GET /v1/Content/{sid},
 *    callbacks up to `read`): see twilio-whatsapp.ts.
 *  - RCS through a Messaging Service (MessagingServiceSid, the RCS-capable device or Twilio's own
 *    SMS fallback, GET /v1/Services/{sid}): see twilio-rcs.ts.
 * What is not: pagination/listing, media, Messaging Services for plain SMS, retries of failed callbacks.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import twilio from "twilio";
import { LoopbackFake, httpPost, notify, readBody, sendJson, waitFor, type Waiter } from "./fake-http";
import { contentJson, deferredFailure, isWhatsApp, renderContent, validateWhatsApp, whatsappCallbackExtras, type TwilioContentTemplate } from "./twilio-whatsapp";
import { routeServiceSend, serviceJson, validateServiceSend, type TwilioMessagingService } from "./twilio-rcs";

export interface TwilioFakeOptions {
  accountSid: string;
  authToken: string;
  /** Gap before each status callback (default 50ms) — long enough to observe "queued" first. */
  callbackDelayMs?: number;
  /** Content templates on the account (WhatsApp), by SID. */
  contents?: TwilioContentTemplate[];
  /** Messaging Services on the account (RCS), by SID. */
  services?: TwilioMessagingService[];
}

export interface TwilioErrorSpec {
  status: number;
  code?: number;
  message?: string;
}

export type TwilioOutcome = "delivered" | { status: "undelivered" | "failed"; errorCode: string };

export interface TwilioRecord {
  sid: string;
  to: string;
  from: string;
  body?: string;
  twiml?: string;
  url?: string;
  statusCallback?: string;
  contentSid?: string;
  contentVariables?: string;
  /** "rcs": went out over RCS; a service send that Twilio fell back to SMS is "sms" with `fellBackToSms`. */
  kind: "sms" | "call" | "whatsapp" | "rcs";
  messagingServiceSid?: string;
  fellBackToSms?: boolean;
  at: Date;
}

export interface TwilioCallbackRecord {
  url: string;
  params: Record<string, string>;
  /** HTTP status our server answered; 0 when the request could not be made at all. */
  status: number;
  error?: string;
}

/** Signature Twilio would put in X-Twilio-Signature for a POST of `params` to `url`. */
export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** Twilio's default message per error code, so injected errors read like the real thing. */
const DEFAULT_MESSAGES: Record<number, string> = {
  20003: "Authenticate",
  20404: "The requested resource was not found",
  20429: "Too Many Requests",
  20500: "An internal server error has occurred",
  20503: "Service is unavailable. Please try again",
  21211: "The 'To' number is not a valid phone number.",
  21602: "Message body is required.",
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
};
/** When a spec gives only an HTTP status, pick the code Twilio uses for it. */
const CODE_FOR_STATUS: Record<number, number> = { 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503 };


export class TwilioFake extends LoopbackFake {
  readonly messages: TwilioRecord[] = [];
  readonly callbacks: TwilioCallbackRecord[] = [];
  /** Send attempts (POST Messages/Calls), including rejected and failed ones. */
  requests = 0;

  private failQueue: TwilioErrorSpec[] = [];
  private outage: TwilioErrorSpec | null = null;
  private outcomes = new Map<string, TwilioOutcome>();
  private msgWaiters: Waiter<TwilioRecord>[] = [];
  private cbWaiters: Waiter<TwilioCallbackRecord>[] = [];
  private readonly contents = new Map<string, TwilioContentTemplate>();
  private readonly services = new Map<string, TwilioMessagingService>();
  /** Numbers whose device has no RCS (every other device has it). */
  private readonly withoutRcs = new Set<string>();
  /** Sends to hang (read, then never answered) before answering again; Infinity while `hang(true)`. */
  private hangs = 0;
  /** Requests held open by a hang, so stop() can cut them. */
  private readonly hanging = new Set<http.ServerResponse>();
  /** Send attempts that were held open (never answered). */
  hung = 0;
  /** Sends to accept (record, as sent to the handset) and then never answer; Infinity while `holdAnswers(true)`. */
  private holds = 0;
  /** Sends accepted whose answer was held back. */
  held = 0;

  private constructor(private readonly opts: Required<TwilioFakeOptions>) {
    super();
    for (const t of opts.contents) this.contents.set(t.sid, t);
    for (const s of opts.services) this.services.set(s.sid, s);
  }

  static async start(opts: TwilioFakeOptions): Promise<TwilioFake> {
    const fake = new TwilioFake({ callbackDelayMs: 50, contents: [], services: [], ...opts });
    await fake.listen((req, res) => fake.handle(req, res), (res, err) => send(res, 500, { message: String(err) }));
    return fake;
  }

  /** Cuts the requests a hang holds open, then stops as every stand-in does. */
  override async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    await super.stop();
  }

  /** Adds a Content template (WhatsApp) to the account. */
  addContent(t: TwilioContentTemplate): void {
    this.contents.set(t.sid, t);
  }

  /** Whether the handset at `to` can receive RCS (default: it can). */
  setRcsCapable(to: string, capable: boolean): void {
    if (capable) this.withoutRcs.delete(to);
    else this.withoutRcs.add(to);
  }

  /** The next `n` send attempts fail with `spec` (queued after any earlier failNext). */
  failNext(n: number, spec: TwilioErrorSpec): void {
    for (let i = 0; i < n; i++) this.failQueue.push(spec);
  }

  /**
   * A vendor that accepts the connection and never answers: the next `n` sends (or, with
   * `true`, every send until `hang(false)`) are read and then held open, so only the caller's
   * own timeout ends them. Nothing is recorded as sent. Counted in `hung`.
   */
  hang(what: number | boolean): void {
    this.hangs = what === true ? Infinity : what === false ? 0 : what;
  }

  /**
   * A vendor that takes the message (it is recorded and its status callbacks follow, as for
   * any accepted send) but whose answer never reaches the caller: the next `n` sends, or every
   * send while `true`. The crash tests kill a worker here, after the hand-off and before it
   * learns of it. Counted in `held`.
   */
  holdAnswers(what: number | boolean): void {
    this.holds = what === true ? Infinity : what === false ? 0 : what;
  }

  /** Fail every send until turned off — models a vendor outage for failover tests. */
  setOutage(on: boolean, status = 503): void {
    this.outage = on ? { status } : null;
  }

  /** Script what the handset "does" with traffic to `to` (default: delivered / completed). */
  setOutcome(to: string, outcome: TwilioOutcome): void {
    this.outcomes.set(to, outcome);
  }

  /**
   * Forget recorded traffic and scripted behaviour (the server keeps running). Callbacks
   * already scheduled still fire, so match records by sid rather than by position.
   */
  clear(): void {
    this.messages.length = 0;
    this.callbacks.length = 0;
    this.requests = 0;
    this.failQueue = [];
    this.outage = null;
    this.outcomes.clear();
    this.hangs = 0;
    this.hung = 0;
    this.holds = 0;
    this.held = 0;
  }

  waitForMessage(pred: (r: TwilioRecord) => boolean = () => true, timeoutMs = 5000): Promise<TwilioRecord> {
    return waitFor(this.messages, this.msgWaiters, pred, timeoutMs, "Twilio message");
  }

  /** Resolves once a matching callback has been POSTed AND answered by the receiver. */
  waitForCallback(
    pred: (c: TwilioCallbackRecord) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<TwilioCallbackRecord> {
    return waitFor(this.callbacks, this.cbWaiters, pred, timeoutMs, "Twilio status callback");
  }

  // ---------------------------------------------------------------- request handling

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", this.url).pathname;
    const content = /^\/v1\/Content\/([^/]+)$/.exec(path);
    if (content) return this.fetchContent(req, res, content[1]);
    const service = /^\/v1\/Services\/([^/]+)$/.exec(path);
    if (service) return this.fetchService(req, res, service[1]);
    const m = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\/(Messages|Calls))?\.json$/.exec(path);
    const isSend = req.method === "POST" && !!m?.[2];
    if (isSend) this.requests++;
    const raw = await readBody(req);

    if (!this.authorized(req)) return this.error(res, { status: 401 });
    if (!m || m[1] !== this.opts.accountSid) return this.error(res, { status: 404 });
    if (!m[2]) {
      if (req.method !== "GET") return this.error(res, { status: 405, code: 20004, message: "Method not allowed" });
      return send(res, 200, this.accountJson());
    }
    if (!isSend) return this.error(res, { status: 405, code: 20004, message: "Method not allowed" });

    // Injected failures come after auth (Twilio authenticates before it does anything else).
    if (this.hangs > 0) {
      this.hangs--;
      this.hung++;
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
      return;
    }
    const injected = this.failQueue.shift() ?? this.outage;
    if (injected) return this.error(res, injected);

    const p = Object.fromEntries(new URLSearchParams(raw));
    const whatsapp = m[2] === "Messages" && (isWhatsApp(p.To) || isWhatsApp(p.From));
    const viaService = m[2] === "Messages" && !p.From && !!p.MessagingServiceSid;
    const invalid = whatsapp ? validateWhatsApp(p, this.contents) : viaService ? validateServiceSend(p, this.services) : validate(p, m[2] === "Messages");
    if (invalid) return this.error(res, invalid);
    // Twilio picks the channel for a service send: RCS for a capable device, else its own SMS fallback (or 63106).
    const route = viaService ? routeServiceSend(this.services.get(p.MessagingServiceSid)!, !this.withoutRcs.has(p.To)) : null;

    const template = p.ContentSid ? this.contents.get(p.ContentSid) : undefined;
    const rec: TwilioRecord = {
      sid: (m[2] === "Messages" ? "SM" : "CA") + randomBytes(16).toString("hex"),
      to: p.To,
      from: route?.from ?? p.From ?? p.MessagingServiceSid,
      kind: whatsapp ? "whatsapp" : route?.kind === "rcs" ? "rcs" : m[2] === "Messages" ? "sms" : "call",
      at: new Date(),
      ...(route && { messagingServiceSid: p.MessagingServiceSid }),
      ...(route?.kind === "sms" && route.fellBack && { fellBackToSms: true }),
      ...(template ? { body: renderContent(template, p.ContentVariables), contentSid: p.ContentSid } : p.Body !== undefined && { body: p.Body }),
      ...(p.ContentVariables !== undefined && { contentVariables: p.ContentVariables }),
      ...(p.Twiml !== undefined && { twiml: p.Twiml }),
      ...(p.Url !== undefined && { url: p.Url }),
      ...(p.StatusCallback && { statusCallback: p.StatusCallback }),
    };
    if (this.holds > 0) {
      this.holds--;
      this.held++;
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
    } else {
      send(res, 201, rec.kind === "call" ? this.callJson(rec) : route ? this.serviceMessageJson(rec) : this.messageJson(rec));
    }
    this.record(rec);
    const forced = whatsapp ? deferredFailure(p) : route?.kind === "failed" ? { status: "failed" as const, errorCode: route.errorCode } : null;
    if (rec.statusCallback) this.scheduleCallbacks(rec, p.StatusCallbackEvent, forced);
  }

  /** GET /v1/Content/{sid} (the Content API's host, served here too): 404 + 20404 for a SID this account doesn't have. */
  private fetchContent(req: http.IncomingMessage, res: http.ServerResponse, sid: string): void {
    if (!this.authorized(req)) return this.error(res, { status: 401 });
    if (req.method !== "GET") return this.error(res, { status: 405, code: 20004, message: "Method not allowed" });
    const t = this.contents.get(sid);
    if (!t) return this.error(res, { status: 404 });
    send(res, 200, contentJson(this.opts.accountSid, t, this.url));
  }

  /** GET /v1/Services/{sid} (the Messaging API's host, served here too): 404 + 20404 for a service this account doesn't have. */
  private fetchService(req: http.IncomingMessage, res: http.ServerResponse, sid: string): void {
    if (!this.authorized(req)) return this.error(res, { status: 401 });
    if (req.method !== "GET") return this.error(res, { status: 405, code: 20004, message: "Method not allowed" });
    const s = this.services.get(sid);
    if (!s) return this.error(res, { status: 404 });
    send(res, 200, serviceJson(this.opts.accountSid, s, this.url));
  }

  private authorized(req: http.IncomingMessage): boolean {
    const expected = "Basic " + Buffer.from(`${this.opts.accountSid}:${this.opts.authToken}`).toString("base64");
    return req.headers.authorization === expected;
  }

  private error(res: http.ServerResponse, spec: TwilioErrorSpec): void {
    const code = spec.code ?? CODE_FOR_STATUS[spec.status] ?? 20500;
    send(res, spec.status, {
      code,
      message: spec.message ?? DEFAULT_MESSAGES[code] ?? "Error",
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: spec.status,
    });
  }

  private record(rec: TwilioRecord): void {
    this.messages.push(rec);
    notify(this.msgWaiters, rec);
  }

  // ---------------------------------------------------------------- resource JSON

  private accountJson() {
    const sid = this.opts.accountSid;
    return {
      sid,
      owner_account_sid: sid,
      friendly_name: "OTP Gateway test account",
      status: "active",
      type: "Full",
      auth_token: this.opts.authToken,
      date_created: rfc2822(new Date(0)),
      date_updated: rfc2822(new Date(0)),
      uri: `/2010-04-01/Accounts/${sid}.json`,
      subresource_uris: { messages: `/2010-04-01/Accounts/${sid}/Messages.json`, calls: `/2010-04-01/Accounts/${sid}/Calls.json` },
    };
  }

  /** Fields shared by Message and Call resources (snake_case, RFC 2822 dates, like Twilio). */
  private commonJson(r: TwilioRecord, collection: "Messages" | "Calls") {
    return {
      sid: r.sid, account_sid: this.opts.accountSid, api_version: "2010-04-01", status: "queued",
      to: r.to, from: r.from, direction: "outbound-api", price: null, price_unit: "USD",
      date_created: rfc2822(r.at), date_updated: rfc2822(r.at),
      uri: `/2010-04-01/Accounts/${this.opts.accountSid}/${collection}/${r.sid}.json`,
    };
  }

  private messageJson(r: TwilioRecord) {
    return {
      ...this.commonJson(r, "Messages"),
      body: r.body ?? "",
      num_segments: String(Math.max(1, Math.ceil((r.body ?? "").length / 160))),
      num_media: "0", date_sent: null, error_code: null, error_message: null, messaging_service_sid: null,
      subresource_uris: { media: `/2010-04-01/Accounts/${this.opts.accountSid}/Messages/${r.sid}/Media.json` },
    };
  }

  /** A service send's answer: `accepted`, the service named, no sender chosen yet, segments "0" (Twilio's documented quirk). */
  private serviceMessageJson(r: TwilioRecord) {
    return { ...this.messageJson(r), status: "accepted", from: null, messaging_service_sid: r.messagingServiceSid, num_segments: "0" };
  }

  private callJson(r: TwilioRecord) {
    return {
      ...this.commonJson(r, "Calls"),
      to_formatted: r.to, from_formatted: r.from, answered_by: null, caller_name: null, duration: null,
      start_time: null, end_time: null, forwarded_from: null, group_sid: null, parent_call_sid: null,
      phone_number_sid: null, trunk_sid: null, queue_time: "0", subresource_uris: {},
    };
  }

  // ---------------------------------------------------------------- status callbacks

  /** Build the status sequence Twilio would report for this record, then POST it step by step. */
  private scheduleCallbacks(rec: TwilioRecord, events: string | undefined, forced: TwilioOutcome | null = null): void {
    const outcome = forced ?? this.outcomes.get(rec.to) ?? "delivered";
    const base: Record<string, string> = {
      AccountSid: this.opts.accountSid, ApiVersion: "2010-04-01", From: rec.from, To: rec.to,
      ...(rec.messagingServiceSid && { MessagingServiceSid: rec.messagingServiceSid }),
    };
    const steps: Record<string, string>[] = [];
    if (rec.kind !== "call") {
      const channel = rec.kind === "whatsapp" ? whatsappCallbackExtras(rec.to) : {};
      const msg = (status: string, extra: Record<string, string> = {}) =>
        ({ ...base, ...channel, MessageSid: rec.sid, SmsSid: rec.sid, MessageStatus: status, SmsStatus: status, ...extra });
      // WhatsApp reports when the person opened the message, too.
      if (outcome === "delivered") steps.push(msg("sent"), msg("delivered"), ...(rec.kind === "whatsapp" || rec.kind === "rcs" ? [msg("read")] : []));
      // Carrier rejections (undelivered) are reported after "sent"; "failed" never left Twilio.
      else if (outcome.status === "undelivered") steps.push(msg("sent"), msg("undelivered", { ErrorCode: outcome.errorCode }));
      else steps.push(msg("failed", { ErrorCode: outcome.errorCode }));
    } else {
      // Twilio sends only "completed" unless StatusCallbackEvent asks for progress events too.
      // The "completed" event carries the final CallStatus (completed / no-answer / failed).
      const requested = (events ?? "").split(/[\s,]+/).filter(Boolean);
      const final = outcome === "delivered" ? "completed" : outcome.status === "undelivered" ? "no-answer" : "failed";
      const progress = final === "completed" ? ["initiated", "ringing", "answered"] : ["initiated", "ringing"];
      const statusFor: Record<string, string> = { initiated: "queued", ringing: "ringing", answered: "in-progress" };
      const call = (status: string, extra: Record<string, string> = {}) => ({
        ...base, CallSid: rec.sid, CallStatus: status, Direction: "outbound-api",
        CallbackSource: "call-progress-events", SequenceNumber: String(steps.length), Timestamp: rfc2822(new Date()), ...extra,
      });
      for (const ev of progress) if (requested.includes(ev)) steps.push(call(statusFor[ev]));
      steps.push(call(final, final === "completed" ? { CallDuration: "7", Duration: "1" } : {}));
    }
    const url = rec.statusCallback!;
    this.background.run(async () => {
      for (const params of steps) {
        await this.background.delay(this.opts.callbackDelayMs);
        if (this.background.stopped) return;
        await this.postCallback(url, params);
      }
    });
  }

  private async postCallback(url: string, params: Record<string, string>): Promise<void> {
    const body = new URLSearchParams(params).toString();
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signTwilioRequest(this.opts.authToken, url, params),
      "User-Agent": "TwilioProxy/1.1",
      "I-Twilio-Idempotency-Token": randomBytes(16).toString("hex"),
    };
    const result = await httpPost(url, headers, body);
    const rec: TwilioCallbackRecord = { url, params, status: result.status, ...(result.error && { error: result.error }) };
    this.callbacks.push(rec);
    notify(this.cbWaiters, rec);
  }
}

// ------------------------------------------------------------------ helpers

/** Twilio's own first-line validation for the fields the gateway sends. */
function validate(p: Record<string, string>, isMessage: boolean): TwilioErrorSpec | null {
  if (!p.To) return { status: 400, code: 21604 };
  if (!/^\+[1-9]\d{6,14}$/.test(p.To)) return { status: 400, code: 21211, message: `The 'To' number ${p.To} is not a valid phone number.` };
  if (!p.From && !p.MessagingServiceSid) return { status: 400, code: 21603 };
  if (isMessage && !p.Body && !p.MediaUrl) return { status: 400, code: 21602 };
  if (!isMessage && !p.Twiml && !p.Url && !p.ApplicationSid) return { status: 400, code: 21205, message: "Url is not a valid URL." };
  return null;
}

function rfc2822(d: Date): string {
  return d.toUTCString().replace("GMT", "+0000");
}

/** Twilio names its charset. */
function send(res: http.ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, "application/json; charset=utf-8");
}
