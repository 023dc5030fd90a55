import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

/** One request as the receiver saw it, with the outcome of its own signature check. */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  json: any;
  verified: boolean;
  /** What the receiver answered (0: it never answered — a hang the gateway timed out). */
  answered: number;
  at: number;
}

/**
 * Checks a Standard Webhooks signature by hand, independently of the `standardwebhooks`
 * package the gateway signs with: the key is the base64 after `whsec_`, the signed content
 * `${id}.${timestamp}.${body}`, the signature `v1,` + base64 HMAC-SHA256; the header may
 * carry several, space-separated. The timestamp must be within 5 minutes.
 */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string, nowSeconds = Date.now() / 1000): boolean {
  const id = String(headers["webhook-id"] ?? "");
  const timestamp = String(headers["webhook-timestamp"] ?? "");
  const header = String(headers["webhook-signature"] ?? "");
  if (!id || !/^\d+$/.test(timestamp) || !header) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(" ").some((part) => {
    const [version, sig] = part.split(",", 2);
    if (version !== "v1" || !sig) return false;
    const given = Buffer.from(sig, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Decides each answer: a status code, or "hang" (never answer; the gateway's timeout ends it). */
export type Responder = (w: Omit<ReceivedWebhook, "answered" | "at">, nth: number) => number | "hang";

/** A local HTTP endpoint that receives webhooks, verifies each signature and answers as told. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  secret = "";
  respond: Responder = () => 200;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => {
        const w = {
          id: String(req.headers["webhook-id"] ?? ""), timestamp: String(req.headers["webhook-timestamp"] ?? ""),
          signature: String(req.headers["webhook-signature"] ?? ""), body, json: safeJson(body),
          verified: verifyStandardWebhook(receiver.secret, req.headers, body),
        };
        const nth = receiver.received.filter((r) => r.id === w.id).length;
        const answer = receiver.respond(w, nth);
        receiver.received.push({ ...w, answered: answer === "hang" ? 0 : answer, at: Date.now() });
        if (answer === "hang") return; // the socket stays open until the gateway gives up
        res.writeHead(answer, { "content-type": "text/plain" }).end(answer >= 300 ? "receiver says no" : "ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks`);
    return receiver;
  }

  /** Events answered 2xx, in the order they were accepted. */
  accepted(): ReceivedWebhook[] {
    return this.received.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
