// The rules of a one-time-code box, apart from the DOM so they can be tested on their own.

/**
 * What the box keeps of what was typed or pasted: digits only, at most `length` of them.
 * A paste like "Your code: 123-456" keeps "123456"; letters never enter.
 */
export function sanitizeCode(value, length) {
  return String(value ?? "").replace(/\D+/g, "").slice(0, length);
}

/** A code is complete when it has exactly `length` digits. */
export function isComplete(value, length) {
  return typeof value === "string" && value.length === length && /^\d+$/.test(value);
}

/** Whole seconds until `isoTime`, by the server's clock (`offsetMs` = server time − local time). */
export function secondsUntil(isoTime, offsetMs, now = Date.now()) {
  return Math.max(0, Math.ceil((Date.parse(isoTime) - (now + offsetMs)) / 1000));
}
