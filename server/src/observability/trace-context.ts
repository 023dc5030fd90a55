import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Attributes } from "@opentelemetry/api";

/**
 * Trace context that rides with the work. A request's context is written onto the row it queues
 * (the W3C `traceparent`), so the worker that sends the message later, in another process, and
 * the vendor's status callback continue the same trace. With tracing off (no SDK registered) the
 * API is a no-op: nothing is injected, no span is recorded, and these helpers cost a few calls.
 */
const tracer = trace.getTracer("otp-gateway");

/** The active context as a `traceparent` header value, or null when nothing is being traced. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/** Runs `fn` inside a span that continues the trace stored on a row (a new trace when there is none). */
export function inStoredTrace<T>(traceparent: string | null | undefined, name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Records a finished step (e.g. a status callback applied) in the trace stored on its row. */
export function recordInStoredTrace(traceparent: string | null | undefined, name: string, attributes: Attributes, startTime: number): void {
  if (!traceparent) return;
  const parent = propagation.extract(ROOT_CONTEXT, { traceparent });
  // Linked to the span of the HTTP request that brought it (its own trace, started by the vendor).
  const here = trace.getSpanContext(context.active());
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes, startTime, links: here ? [{ context: here }] : [] }, parent);
  span.end();
}

/** trace_id and span_id of the active span, for log lines (empty when nothing is traced). */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
