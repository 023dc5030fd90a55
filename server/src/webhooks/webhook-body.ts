import { maskDestination } from "../verification/destination";
import type { ClaimedMessage } from "./message-store";

const iso = (v: Date | string) => (v instanceof Date ? v : new Date(v)).toISOString();

/**
 * The JSON an endpoint receives: `{ type, id, createdAt, data }`. `data` is the snapshot the
 * outbox stored when the change committed (the GraphQL type's fields); a verification's
 * destination is added here, masked, as `to`. Nothing in the outbox holds a code.
 */
export function webhookBody(m: Pick<ClaimedMessage, "type" | "eventId" | "eventCreatedAt" | "data" | "destination">): string {
  const data = m.type.startsWith("verification.") && m.destination ? withMaskedTo(m.data, maskDestination(m.destination)) : m.data;
  return JSON.stringify({ type: m.type, id: m.eventId, createdAt: iso(m.eventCreatedAt), data });
}

/** `to` after `status`, where the GraphQL type has it. */
function withMaskedTo(data: Record<string, unknown>, to: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = v;
    if (k === "status") out.to = to;
  }
  if (!("to" in out)) out.to = to;
  return out;
}
