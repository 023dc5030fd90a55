import type { Logger } from "pino";

const HOUR_MS = 3_600_000;

/**
 * A request without `clientIp` gets no per-IP limit (the contract: the socket's address is the
 * app's own backend, shared by all its users). That is right for server-to-server callers, and
 * it also means an app that could pass its users' IPs forgoes a layer of protection. This says
 * so in the log, at most once an hour per app and process; the dashboard shows the share.
 */
export class ClientIpHint {
  private readonly lastSaid = new Map<string, number>();

  constructor(private readonly log: Logger, private readonly now: () => number = Date.now) {}

  missing(app: { id: string; name: string }): void {
    const t = this.now();
    const last = this.lastSaid.get(app.id);
    if (last !== undefined && t - last < HOUR_MS) return;
    this.lastSaid.set(app.id, t);
    this.log.info(
      { appId: app.id, app: app.name },
      "requests arrive without clientIp: per-IP limits do not apply to them (right for a backend that has no user IP; pass clientIp where it has one)",
    );
  }
}

/** The hint shown beside an app's share of requests without clientIp (admin API, dashboard). */
export function clientIpShareHint(share: number | null): string {
  if (share === null) return "No requests in the last 24 hours.";
  if (share === 0) return "Every request states clientIp: per-IP limits apply to all of them.";
  const pct = `${Math.round(share * 100)} %`;
  if (share === 1) return `${pct} of requests come without clientIp: no per-IP limit applies (server to server). Pass clientIp where your backend knows the user's IP.`;
  return `${pct} of requests come without clientIp: per-IP limits apply only to the rest. Pass clientIp where your backend knows the user's IP.`;
}
