import { createServer, type Server } from "node:http";

/** One span as an OTLP/HTTP JSON export carries it, flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, string | number | boolean>;
  links: Array<{ traceId: string; spanId: string }>;
}

/** OTLP ids are hex in the JSON encoding; some encoders send base64. Normalised to hex. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16) ? id.toLowerCase() : Buffer.from(id, "base64").toString("hex");
}

function value(v: Record<string, unknown>): string | number | boolean {
  if ("stringValue" in v) return v.stringValue as string;
  if ("intValue" in v) return Number(v.intValue);
  if ("doubleValue" in v) return v.doubleValue as number;
  if ("boolValue" in v) return v.boolValue as boolean;
  return JSON.stringify(v);
}

/**
 * A local OpenTelemetry collector's trace endpoint (OTLP/HTTP, JSON: `POST /v1/traces`), keeping
 * every span it is sent so a test can assert names, attributes and parent links.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every export as it arrived (parsed JSON): what a scan for leaks reads, events, status and resource included. */
  readonly bodies: unknown[] = [];
  exports = 0;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver!: OtlpReceiver;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/v1/traces" || !String(req.headers["content-type"]).includes("json")) {
          res.writeHead(415).end();
          return;
        }
        receiver.exports++;
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        receiver.bodies.push(body);
        for (const rs of body.resourceSpans ?? []) {
          const service = (rs.resource?.attributes ?? []).find((a: any) => a.key === "service.name")?.value?.stringValue ?? "";
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              receiver.spans.push({
                traceId: hexId(s.traceId)!,
                spanId: hexId(s.spanId)!,
                parentSpanId: hexId(s.parentSpanId) || undefined,
                name: s.name,
                kind: s.kind,
                service,
                attributes: Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, value(a.value ?? {})])),
                links: (s.links ?? []).map((l: any) => ({ traceId: hexId(l.traceId)!, spanId: hexId(l.spanId)! })),
              });
            }
          }
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  inTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** Whether `span` descends from the span `ancestorId` through parent links within its trace. */
  descendsFrom(span: ReceivedSpan, ancestorId: string): boolean {
    const byId = new Map(this.inTrace(span.traceId).map((s) => [s.spanId, s]));
    for (let p = span.parentSpanId; p; p = byId.get(p)?.parentSpanId) if (p === ancestorId) return true;
    return false;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
