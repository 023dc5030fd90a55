import { BlockList, isIP } from "node:net";

/**
 * TRUST_PROXY as fastify understands it: a hop count ("1": the address the nearest proxy saw)
 * or a list of proxy addresses/CIDRs/named ranges ("10.0.0.0/8,loopback"). Unset: nobody, so
 * X-Forwarded-For is ignored and the socket address is the client's. "true" (believe every
 * hop) is refused at start-up (trustProxyProblem): it takes the leftmost X-Forwarded-For entry,
 * which the client writes itself, so every per-IP limit could be dodged by a header.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (!value) return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Why a TRUST_PROXY value can't be used, or null when it can: a hop count from 1 to 32, or a list of addresses, CIDRs and named ranges. */
export function trustProxyProblem(value: string): string | null {
  if (/^(true|yes|on|\*)$/i.test(value.trim())) {
    return "must be a hop count (e.g. 1) or a list of proxy addresses (e.g. 10.0.0.0/8,loopback), not true: trusting every hop believes the client's own X-Forwarded-For";
  }
  if (/^\d+$/.test(value.trim())) return Number(value) >= 1 && Number(value) <= 32 ? null : "as a hop count must be from 1 to 32";
  const entries = value.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = entries.filter((e) => !(e in NAMED_RANGES) && !isAddressOrCidr(e));
  if (!entries.length || bad.length) {
    return `must be a hop count or a list of IP addresses, CIDRs or ${Object.keys(NAMED_RANGES).join("/")}${bad.length ? ` (not an address: ${bad.map((b) => JSON.stringify(b)).join(", ")})` : ""}`;
  }
  return null;
}

function isAddressOrCidr(entry: string): boolean {
  const [addr, bits, ...rest] = entry.split("/");
  const v = isIP(addr);
  if (!v || rest.length) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (v === 6 ? 128 : 32));
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
    if (typeof trust === "number") return chain[Math.min(trust, chain.length - 1)];
    let i = 0;
    while (i < chain.length - 1 && isTrusted!(chain[i])) i++;
    return chain[i];
  };
}
