import { isIPv4, isIPv6 } from "node:net";

/**
 * The key per-IP limits count under. IPv4 addresses count one by one; an IPv6 address counts
 * by its /64, because one subscriber is routinely handed a whole /64 and could otherwise
 * rotate through 2^64 addresses. IPv4-mapped IPv6 ("::ffff:203.0.113.7", what a dual-stack
 * socket reports) is the IPv4 address it carries.
 */
export function ipLimitKey(ip: string): string {
  const v4 = mappedIPv4(ip);
  if (v4) return v4;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

/** For block records: enough to recognise a network, not to single out one subscriber. */
export function maskIp(ip: string): string {
  const key = ipLimitKey(ip);
  if (isIPv4(key)) return key.replace(/\.\d+$/, ".*");
  return key;
}

function mappedIPv4(ip: string): string | null {
  if (isIPv4(ip)) return ip;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m && isIPv4(m[1]) ? m[1] : null;
}

/** Eight 16-bit groups, lower-case hex without leading zeros; a trailing dotted quad becomes two groups. */
function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase().replace(/%.*$/, "");
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = text.slice(0, quad.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail !== undefined && tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : new Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16).toString(16));
}
