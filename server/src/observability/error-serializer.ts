import pino from "pino";

/**
 * What an error may say in a log line. typeorm's QueryFailedError carries the statement's
 * `parameters` (code hashes, ciphers, raw destinations, client IPs) and its `driverError`; pg's
 * errors carry `detail` ("Failing row contains (…, +14155550100, …)"), `where` and, for bad
 * input, the value itself in the message (`invalid input syntax for type uuid: "…"`). Those go;
 * what identifies the failure stays: the message with quoted values blanked, the SQLSTATE
 * `code`, constraint, table, column, the query text (placeholders only), the stack.
 */
const DROPPED = new Set(["parameters", "driverError", "detail", "where", "hint", "internalQuery", "internalPosition", "position", "file", "line"]);

/** Blanks the values pg quotes after a colon (`…: "value"`), keeping the sentence that names the failure. */
export function scrubValues(message: string): string {
  return message.replace(/: "(?:[^"\\]|\\.)*"/g, ': "[redacted]"').replace(/=\((.*?)\)/g, "=([redacted])");
}

export function serializeError(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrubValues(value);
  if (!(value instanceof Error) || depth > 3) return value;
  const std = pino.stdSerializers.err(value) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(std)) {
    if (DROPPED.has(k)) continue;
    if (k === "message" || k === "stack") out[k] = typeof v === "string" ? scrubValues(v) : v;
    else if (k === "cause" || k === "originalError") out[k] = serializeError((value as unknown as Record<string, unknown>)[k] ?? v, depth + 1);
    else out[k] = v;
  }
  // A driver error's SQLSTATE and constraint say what failed without saying with what.
  const driver = (value as { driverError?: Record<string, unknown> }).driverError ?? (value as unknown as Record<string, unknown>);
  if (driver && typeof driver === "object") {
    for (const k of ["constraint", "table", "column", "schema", "routine"]) if (driver[k] !== undefined && out[k] === undefined) out[k] = driver[k];
    if (typeof driver.code === "string" && /^[0-9A-Z]{5}$/.test(driver.code)) out.sqlState = driver.code; // "code" itself is a redacted key in every log line
  }
  return out;
}
