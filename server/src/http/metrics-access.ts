import { createHash, timingSafeEqual } from "node:crypto";
import type { Config } from "../config/config";

/**
 * Who may read /metrics on PORT, the port that faces the internet. Metrics name apps, vendors
 * and traffic levels: in production they are served there only to a scraper holding
 * METRICS_TOKEN; otherwise (no token) they live on METRICS_PORT alone, or nowhere. Outside
 * production PORT serves them openly unless METRICS_PORT moved them (or a token is set).
 */
export type MetricsOnPort = { mode: "off" } | { mode: "open" } | { mode: "token"; token: string };

export function metricsOnPort(config: Pick<Config, "production" | "metricsPort" | "metricsToken">): MetricsOnPort {
  if (config.metricsToken) return { mode: "token", token: config.metricsToken };
  if (config.production || config.metricsPort) return { mode: "off" };
  return { mode: "open" };
}

/** Whether an Authorization header carries the token: `Bearer <token>`, compared in constant time (as digests, so lengths don't leak). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/.exec(header ?? "");
  if (!m) return false;
  const digest = (v: string) => createHash("sha256").update(v).digest();
  return timingSafeEqual(digest(m[1]), digest(token));
}
