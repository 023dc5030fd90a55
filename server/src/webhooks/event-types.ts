import { badInput } from "../errors";

/** Every event a client app can receive (contract: "Verification events for client apps"). */
export const WEBHOOK_EVENT_TYPES = [
  "verification.pending",
  "verification.approved",
  "verification.canceled",
  "verification.expired",
  "verification.max_attempts_reached",
  "verification.failed",
  "verification.step_started",
  "delivery.updated",
  "totp.verified",
  "block.created",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Parses `--events a,b` (or a list): null means every type, present and future. */
export function parseEventTypes(raw: string | string[] | null | undefined): WebhookEventType[] | null {
  if (raw === null || raw === undefined) return null;
  const list = (Array.isArray(raw) ? raw : raw.split(",")).map((s) => s.trim()).filter(Boolean);
  if (!list.length) throw badInput("events", "Name at least one event type, or leave the list out for all");
  const unknown = list.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length) throw badInput("events", `Unknown event type(s): ${unknown.join(", ")}; known: ${WEBHOOK_EVENT_TYPES.join(", ")}`);
  return [...new Set(list)] as WebhookEventType[];
}
