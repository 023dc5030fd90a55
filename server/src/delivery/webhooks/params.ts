/**
 * Callback parameters as a flat string map, the shape both vendors sign: a repeated form key
 * keeps its first value, and JSON numbers or booleans become their text.
 */
export function flatParams(source: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!source || typeof source !== "object") return out;
  for (const [k, v] of Object.entries(source as Record<string, unknown>)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === "string") out[k] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[k] = String(value);
  }
  return out;
}
