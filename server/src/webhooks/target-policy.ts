import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";
import { badInput } from "../errors";
import type { WebhookConfig } from "../config/config";

export type TargetPolicy = Pick<WebhookConfig, "requireHttps" | "allowPrivateTargets">;

/**
 * Where a webhook may not point unless private targets are allowed: loopback, private,
 * link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, unspecified, multicast
 * and the IPv6 equivalents. Checked on the URL when an endpoint is added and again on the
 * resolved address of every connection, so a name that later resolves inward (DNS rebinding)
 * is refused too.
 */
const inward = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) inward.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8], ["64:ff9b::", 96]] as const) {
  inward.addSubnet(net, prefix, "ipv6");
}

export function isInwardAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address in disguise.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return inward.check(mapped[1], "ipv4");
    return inward.check(address, "ipv6");
  }
  return inward.check(address, "ipv4");
}

const MAX_URL_LENGTH = 2048;

/** Checks an endpoint URL before it is stored: BAD_USER_INPUT on `url`, naming what is wrong. */
export function checkWebhookUrl(raw: string, policy: TargetPolicy): string {
  const text = String(raw ?? "").trim();
  if (!text || text.length > MAX_URL_LENGTH) throw badInput("url", `A URL of at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput("url", "Not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw badInput("url", "Webhook URLs are http(s)");
  if (policy.requireHttps && url.protocol !== "https:") throw badInput("url", "Webhook URLs must be https in production");
  if (url.username || url.password) throw badInput("url", "No credentials in the URL: verify the signature instead");
  if (url.hash) throw badInput("url", "No #fragment in a webhook URL");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!policy.allowPrivateTargets && (isInwardAddress(host) || host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal"))) {
    throw badInput("url", "Webhook URLs may not point at loopback or private networks (WEBHOOK_ALLOW_PRIVATE_TARGETS)");
  }
  return url.toString();
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that refuses inward addresses when private targets are not
 * allowed: the check is on the address actually connected to, not on the name.
 */
export function guardedLookup(policy: TargetPolicy) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, [] as LookupAddress[]);
      const list = addresses as LookupAddress[];
      if (!policy.allowPrivateTargets && list.some((a) => isInwardAddress(a.address))) {
        const refused = Object.assign(new Error(`${hostname} resolves to a private or loopback address`), { code: "EPRIVATETARGET" });
        return callback(refused, [] as LookupAddress[]);
      }
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
