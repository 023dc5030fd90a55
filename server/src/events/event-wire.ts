import type { DeliveryEventMessage } from "./event-bus";

/**
 * Delivery events as they travel on the Redis channel: several events in one message, encoded
 * once, with a header that says what is inside without decoding it.
 *
 *   <verificationId>=<STATUS>;<verificationId>=<STATUS>;\n[<event>,<event>]
 *
 * The header's ids are UUIDs and its statuses enum names, so neither holds `=`, `;` or a line
 * break. A message that starts with `{` is one event as JSON, the format before batches:
 * accepted, so that a process of the previous version publishing beside this one is still
 * heard. (A process of the previous version can't read batches: it logs them as malformed and
 * its subscribers see the current state when they resubscribe — upgrade every process.)
 */
export function encodeEvents(events: DeliveryEventMessage[]): string {
  let header = "";
  for (const e of events) header += `${e.verificationId}=${e.delivery.status};`;
  return `${header}\n${JSON.stringify(events)}`;
}

/** The header of a message (see encodeEvents); null for a single event in the older format. */
export function eventsHeader(message: string): string | null {
  if (message.startsWith("{")) return null;
  const nl = message.indexOf("\n");
  if (nl < 0) throw new Error("delivery event message without a header");
  return message.slice(0, nl);
}

export function decodeEvents(message: string): DeliveryEventMessage[] {
  if (message.startsWith("{")) return [JSON.parse(message) as DeliveryEventMessage];
  const events = JSON.parse(message.slice(message.indexOf("\n") + 1)) as unknown;
  if (!Array.isArray(events)) throw new Error("delivery event message without events");
  return events as DeliveryEventMessage[];
}
