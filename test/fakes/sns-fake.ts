/**
 * SnsFake — a local stand-in for AWS SNS's SMS `Publish`, reached by the REAL
 * `@aws-sdk/client-sns` through `endpoint` (the gateway's AWS_SNS_ENDPOINT).
 *
 * What the SDK sends (SNS speaks the AWS query protocol): `POST /` with a form body
 * `Action=Publish&Version=2010-03-31&PhoneNumber=…&Message=…&MessageAttributes.entry.N.Name=…
 * &MessageAttributes.entry.N.Value.DataType=String&MessageAttributes.entry.N.Value.StringValue=…`,
 * signed with SigV4: `Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<date>/<region>/sns/aws4_request,
 * SignedHeaders=…, Signature=…` and `X-Amz-Date`. The fake checks the header is there, names this
 * region and service, and names a key id it knows (else 403 InvalidClientTokenId), then recomputes
 * the signature with that key's secret (else 403 SignatureDoesNotMatch) — so a wrong secret is
 * refused as AWS refuses it. Answers are XML (`<PublishResponse><PublishResult><MessageId>`),
 * errors the query protocol's `<ErrorResponse><Error><Type/><Code/><Message/></Error>`.
 *
 * SNS has no per-message status callbacks, so neither has the fake.
 */
import http from "node:http";
import { createHash, createHmac, randomUUID } from "node:crypto";
import { closeServer, listenLocal, notify, readBody, waitFor, type Waiter } from "./fake-http";

export interface SnsPublish {
  messageId: string;
  phoneNumber: string;
  message: string;
  /** MessageAttributes by name (StringValue). */
  attributes: Record<string, string>;
  accessKeyId: string;
  region: string;
  at: Date;
}

export interface SnsErrorSpec { status: number; code: string; message?: string; type?: "Sender" | "Receiver" }

const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const hmac = (key: string | Buffer, s: string) => createHmac("sha256", key).update(s).digest();
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export class SnsFake {
  readonly published: SnsPublish[] = [];
  /** Every request, refused ones included. */
  requests = 0;
  /** Actions seen, in order ("GetSMSAttributes", "Publish", …). */
  readonly actions: string[] = [];
  private server!: http.Server;
  private port = 0;
  private failQueue: SnsErrorSpec[] = [];
  private outage: SnsErrorSpec | null = null;
  private waiters: Waiter<SnsPublish>[] = [];

  private constructor(private readonly opts: { region: string; credentials: Record<string, string> }) {}

  /** `credentials`: access key id → secret access key, the keys this "account" has. */
  static async start(opts: { region: string; credentials: Record<string, string> }): Promise<SnsFake> {
    const fake = new SnsFake(opts);
    ({ server: fake.server, port: fake.port } = await listenLocal(
      (req, res) => fake.handle(req, res), (res, e) => fake.error(res, { status: 500, code: "InternalError", message: String(e), type: "Receiver" })));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  failNext(n: number, spec: SnsErrorSpec): void {
    for (let i = 0; i < n; i++) this.failQueue.push(spec);
  }

  setOutage(spec: SnsErrorSpec | null): void {
    this.outage = spec;
  }

  clear(): void {
    this.published.length = 0;
    this.actions.length = 0;
    this.requests = 0;
    this.failQueue = [];
    this.outage = null;
  }

  waitForPublish(pred: (p: SnsPublish) => boolean = () => true, timeoutMs = 5000): Promise<SnsPublish> {
    return waitFor(this.published, this.waiters, pred, timeoutMs, "SNS Publish");
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    this.requests++;
    const auth = this.authenticate(req, raw);
    if ("error" in auth) return this.error(res, auth.error);
    const p = new URLSearchParams(raw);
    const action = p.get("Action") ?? "";
    this.actions.push(action);
    if (p.get("Version") !== "2010-03-31") return this.error(res, { status: 400, code: "InvalidAction", message: "Could not find operation for this version" });
    if (action === "GetSMSAttributes") {
      return this.xml(res, 200, `<GetSMSAttributesResponse xmlns="${XMLNS}"><GetSMSAttributesResult><attributes><entry><key>DefaultSMSType</key><value>Promotional</value></entry></attributes></GetSMSAttributesResult>${meta()}</GetSMSAttributesResponse>`);
    }
    if (action !== "Publish") return this.error(res, { status: 400, code: "InvalidAction", message: `The action ${action} is not valid for this web service.` });
    const injected = this.failQueue.shift() ?? this.outage;
    if (injected) return this.error(res, injected);
    const phone = p.get("PhoneNumber") ?? "";
    const message = p.get("Message") ?? "";
    if (!message) return this.error(res, { status: 400, code: "ValidationError", message: "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null" });
    if (!/^\+[1-9]\d{6,14}$/.test(phone)) return this.error(res, { status: 400, code: "InvalidParameter", message: `Invalid parameter: PhoneNumber Reason: ${phone} is not valid to publish to` });
    const attributes: Record<string, string> = {};
    for (let i = 1; p.has(`MessageAttributes.entry.${i}.Name`); i++) {
      attributes[p.get(`MessageAttributes.entry.${i}.Name`)!] = p.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? "";
    }
    const rec: SnsPublish = { messageId: randomUUID(), phoneNumber: phone, message, attributes, accessKeyId: auth.accessKeyId, region: auth.region, at: new Date() };
    this.xml(res, 200, `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${rec.messageId}</MessageId></PublishResult>${meta()}</PublishResponse>`);
    this.published.push(rec);
    notify(this.waiters, rec);
  }

  /** SigV4, as AWS checks it: the header's scope first, then the signature over the canonical request. */
  private authenticate(req: http.IncomingMessage, body: string): { accessKeyId: string; region: string } | { error: SnsErrorSpec } {
    const header = req.headers.authorization ?? "";
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(header);
    if (!m) return { error: { status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" } };
    const [, keyId, date, region, service, signedHeaders, signature] = m;
    if (service !== "sns") return { error: { status: 403, code: "SignatureDoesNotMatch", message: `Credential should be scoped to correct service: 'sns'.` } };
    if (region !== this.opts.region) return { error: { status: 403, code: "SignatureDoesNotMatch", message: `Credential should be scoped to a valid region, not '${region}'.` } };
    const secret = this.opts.credentials[keyId];
    if (!secret) return { error: { status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid." } };
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const names = signedHeaders.split(";");
    const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
    const u = new URL(req.url ?? "/", "http://x");
    const query = [...u.searchParams].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
    const payloadHash = String(req.headers["x-amz-content-sha256"] ?? sha256(body));
    const canonical = [req.method, u.pathname, query, canonicalHeaders, signedHeaders, payloadHash].join("\n");
    const scope = `${date}/${region}/${service}/aws4_request`;
    const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
    if (createHmac("sha256", key).update(toSign).digest("hex") !== signature) {
      return { error: { status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method." } };
    }
    return { accessKeyId: keyId, region };
  }

  private error(res: http.ServerResponse, e: SnsErrorSpec): void {
    const type = e.type ?? (e.status >= 500 ? "Receiver" : "Sender");
    this.xml(res, e.status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${esc(e.code)}</Code><Message>${esc(e.message ?? e.code)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
  }

  private xml(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID(), "content-length": Buffer.byteLength(body) });
    res.end(body);
  }
}

function meta(): string {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}
