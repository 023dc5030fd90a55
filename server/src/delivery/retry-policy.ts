import type { ProviderError } from "../providers/provider";

/** What to do after a failed hand-off. */
export type Decision =
  | { action: "retry"; delayMs: number }
  | { action: "failover"; nextIndex: number }
  | { action: "fail" };

export interface RetryOptions { attemptsPerProvider: number; baseDelayMs: number; maxDelayMs: number }
export const defaultRetryOptions: RetryOptions = { attemptsPerProvider: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Transient failures retry on the same provider with exponential backoff and full jitter;
 * once a provider has had its attempts, or says it can't send this, the next provider of the
 * channel takes over; permanent failures (the destination itself) stop at once.
 */
export function decide(err: ProviderError, attemptsOnProvider: number, providerIndex: number, providerCount: number, o = defaultRetryOptions): Decision {
  if (err.kind === "permanent") return { action: "fail" };
  if (err.kind === "transient" && attemptsOnProvider < o.attemptsPerProvider) {
    const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attemptsOnProvider - 1));
    return { action: "retry", delayMs: Math.round(ceiling / 2 + Math.random() * (ceiling / 2)) };
  }
  if (providerIndex + 1 < providerCount) return { action: "failover", nextIndex: providerIndex + 1 };
  return { action: "fail" };
}
