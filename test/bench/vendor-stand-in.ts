/**
 * A minimal, fast stand-in for Twilio's Messages/Calls API: just enough for the real `twilio`
 * SDK (the gateway's own TwilioProvider) to hand messages over, and nothing that costs time —
 * no status callbacks, no validation beyond what the SDK needs back. It notes when each
 * message arrived and the code in it, so the benchmark can measure dispatch rate and verify
 * codes as a user would: read off the "phone".
 *
 * `delayMs` makes every send slow (the SIGTERM-drain fault test); `down` answers 503.
 */
import http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { extractCode } from "../helpers/codes";

export interface StandInOptions { accountSid: string; authToken: string; delayMs?: number; port?: number }

export interface Received { to: string; code: string | null; at: number }

export class VendorStandIn {
  readonly received: Received[] = [];
  /** Sends answered (accepted or refused) since the last reset, with the first and last accept times (epoch ms). */
  accepted = 0;
  refused = 0;
  /** Sends received and not yet answered (slow with `delayMs`): a worker is mid-dispatch. */
  inFlight = 0;
  firstAt = 0;
  lastAt = 0;
  down = false;
  delayMs: number;
  private server!: http.Server;
  private readonly expectedAuth: string;

  private constructor(private readonly opts: StandInOptions) {
    this.delayMs = opts.delayMs ?? 0;
    this.expectedAuth = "Basic " + Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString("base64");
  }

  static async start(opts: StandInOptions): Promise<VendorStandIn> {
    const s = new VendorStandIn(opts);
    s.server = http.createServer((req, res) => void s.handle(req, res));
    s.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => s.server.listen(opts.port ?? 0, "127.0.0.1", r));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  resetCounters(): void {
    this.accepted = 0;
    this.refused = 0;
    this.firstAt = 0;
    this.lastAt = 0;
  }

  /** Codes received for `to`, oldest first. */
  codesFor(to: string): string[] {
    return this.received.filter((r) => r.to === to && r.code).map((r) => r.code!);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? "/";
    if (url.startsWith("/__bench/")) return this.control(url, res);
    if (req.headers.authorization !== this.expectedAuth) return json(res, 401, { code: 20003, message: "Authenticate", status: 401 });
    const m = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\/(Messages|Calls))?\.json$/.exec(url.split("?")[0]);
    if (!m) return json(res, 404, { code: 20404, message: "The requested resource was not found", status: 404 });
    if (!m[2]) return json(res, 200, { sid: m[1], status: "active", friendly_name: "bench", type: "Full" });
    this.inFlight++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight--;
    if (this.down) {
      this.refused++;
      return json(res, 503, { code: 20503, message: "Service is unavailable. Please try again", status: 503 });
    }
    const p = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
    const to = p.get("To") ?? "";
    const text = p.get("Body") ?? p.get("Twiml") ?? "";
    const now = Date.now();
    this.accepted++;
    this.firstAt ||= now;
    this.lastAt = now;
    let code: string | null = null;
    try {
      code = extractCode(text);
    } catch {
      code = null;
    }
    this.received.push({ to, code, at: now });
    const sid = (m[2] === "Messages" ? "SM" : "CA") + randomBytes(16).toString("hex");
    json(res, 201, { sid, account_sid: m[1], to, from: p.get("From"), status: "queued", body: p.get("Body") ?? undefined });
  }

  /** The benchmark's side door: codes received since an index, counters, reset, outage switch. */
  private control(url: string, res: http.ServerResponse): void {
    const u = new URL(url, "http://x");
    switch (u.pathname) {
      case "/__bench/codes": {
        const since = Number(u.searchParams.get("since") ?? 0);
        const items = this.received.slice(since).filter((r) => r.code).map((r) => [r.to, r.code]);
        return json(res, 200, { next: this.received.length, items });
      }
      case "/__bench/stats":
        return json(res, 200, { accepted: this.accepted, refused: this.refused, firstAt: this.firstAt, lastAt: this.lastAt });
      case "/__bench/reset":
        this.resetCounters();
        return json(res, 200, { ok: true });
      default:
        return json(res, 404, {});
    }
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
