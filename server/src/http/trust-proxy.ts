/**
 * TRUST_PROXY as fastify understands it: "true" (every proxy; only behind one you control),
 * a hop count ("1"), or a list of addresses/CIDRs ("10.0.0.0/8,127.0.0.1"). Unset: nobody, so
 * X-Forwarded-For is ignored and the socket address is the client's.
 */
export function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (!value) return false;
  if (value === "true") return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}
