import { BlockList, isIP } from "node:net";

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

/** proxy-addr's names for address ranges, so a TRUST_PROXY list means the same on both paths. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ["127.0.0.1/8", "::1/128"],
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  uniquelocal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
};

/** "::ffff:10.0.0.1" is the IPv4 address 10.0.0.1 arriving on a dual-stack socket. */
const unmapped = (ip: string) => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip) ? ip.slice(7) : ip);

function trustedList(entries: string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const entry of entries.flatMap((e) => NAMED_RANGES[e] ?? [e])) {
    const [addr, bits] = entry.split("/");
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (!isIP(addr)) continue;
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const a = unmapped(ip);
    const v = isIP(a);
    return v !== 0 && list.check(a, v === 6 ? "ipv6" : "ipv4");
  };
}

/**
 * The client's address for a request fastify doesn't see (the WebSocket upgrade), with the
 * same rule fastify applies to HTTP: walk X-Forwarded-For from the nearest hop while the hop
 * is trusted; the first untrusted address (or the farthest one) is the client.
 */
export function clientIpResolver(trustProxy: string | undefined): (req: { socket?: { remoteAddress?: string }; headers?: Record<string, string | string[] | undefined> } | undefined) => string | null {
  const trust = parseTrustProxy(trustProxy);
  const isTrusted = Array.isArray(trust) ? trustedList(trust) : null;
  return (req) => {
    const socketIp = req?.socket?.remoteAddress ?? null;
    if (!socketIp || trust === false) return socketIp;
    const header = req?.headers?.["x-forwarded-for"];
    const forwarded = (Array.isArray(header) ? header.join(",") : header ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const chain = [socketIp, ...forwarded.reverse()]; // nearest hop first
    if (trust === true) return chain[chain.length - 1];
    if (typeof trust === "number") return chain[Math.min(trust, chain.length - 1)];
    let i = 0;
    while (i < chain.length - 1 && isTrusted!(chain[i])) i++;
    return chain[i];
  };
}
