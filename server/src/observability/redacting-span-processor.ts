import type { Context } from "@opentelemetry/api";
import type { tracing } from "@opentelemetry/sdk-node";
import type { SpanRedactor } from "./span-redaction";

type ReadableSpan = tracing.ReadableSpan;
type Resource = ReadableSpan["resource"];

/**
 * Stands in front of the exporting processors (the SDK's, from the OTEL_* variables) and hands
 * them a scrubbed copy of every finished span: name, attributes, events, links, status message and
 * resource through the SpanRedactor. The live span is left as the instrumentations made it; only
 * what leaves the process is scrubbed, whichever exporter sends it.
 */
export class RedactingSpanProcessor implements tracing.SpanProcessor {
  private readonly resources = new WeakMap<Resource, Resource>();

  constructor(private readonly next: tracing.SpanProcessor[], private readonly redactor: SpanRedactor) {}

  onStart(span: tracing.Span, parentContext: Context): void {
    for (const p of this.next) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const clean = this.scrub(span);
    for (const p of this.next) p.onEnd(clean);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.next.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.next.map((p) => p.shutdown()));
  }

  private scrub(span: ReadableSpan): ReadableSpan {
    const r = this.redactor;
    return {
      name: r.name(span.name),
      kind: span.kind,
      spanContext: () => span.spanContext(),
      parentSpanContext: span.parentSpanContext,
      startTime: span.startTime,
      endTime: span.endTime,
      status: span.status.message === undefined ? span.status : { ...span.status, message: r.text(span.status.message) },
      attributes: r.attributes(span.attributes),
      links: span.links.map((l) => (l.attributes ? { ...l, attributes: r.attributes(l.attributes) } : l)),
      events: span.events.map((e) => ({ ...e, name: r.text(e.name), attributes: e.attributes && r.attributes(e.attributes) })),
      duration: span.duration,
      ended: span.ended,
      resource: this.resource(span.resource),
      instrumentationScope: span.instrumentationScope,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
    };
  }

  /**
   * One scrubbed stand-in per resource (the exporter groups spans by resource object). Its
   * attributes are read at export time, once the resource's detectors have settled: everything
   * else (waiting for them, merging) is the original's.
   */
  private resource(resource: Resource): Resource {
    let clean = this.resources.get(resource);
    if (!clean) {
      const redactor = this.redactor;
      clean = Object.create(resource, {
        attributes: { get: () => redactor.attributes(resource.attributes) },
        asyncAttributesPending: { get: () => resource.asyncAttributesPending },
        waitForAsyncAttributes: { value: () => resource.waitForAsyncAttributes?.() ?? Promise.resolve() },
      }) as Resource;
      this.resources.set(resource, clean);
    }
    return clean;
  }
}
