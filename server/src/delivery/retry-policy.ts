import type { ProviderError } from "../providers/provider";

/** What to do after a failed hand-off. */
export type Decision =
  /** The same provider again, after a backoff. */
  | { action: "retry"; delayMs: number }
  /** The next provider of the channel, at once. */
  | { action: "failover"; nextIndex: number }
  /** Every provider of the channel failed in this pass: fall back to another channel, or start over after `delayMs`. */
  | { action: "exhausted"; delayMs: number }
  /** Nobody can send this (the destination itself is the problem). */
  | { action: "fail" };

export interface RetryOptions { attemptsPerProvider: number; baseDelayMs: number; maxDelayMs: number }
export const defaultRetryOptions: RetryOptions = { attemptsPerProvider: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Where a delivery stands in its channel's failover list when an attempt fails. */
export interface Position {
  /** Attempts on the current provider, the failed one included. */
  attempts: number;
  providerIndex: number;
  providerCount: number;
  /** Completed passes over all providers. */
  round: number;
}

/**
 * Exponential backoff with "equal jitter": a random delay between half the ceiling and the
 * ceiling, so that messages failed by one outage don't all come back in the same instant,
 * while each still waits a predictable minimum.
 */
export function backoffMs(step: number, o: RetryOptions): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, step));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/**
 * Transient failures (network, 5xx, 429) retry on the same provider with backoff; once a
 * provider has had its attempts, or says it can't send this (auth, account, route, open
 * circuit), the next provider takes over at once; permanent failures stop. When the last
 * provider fails too, the pass is exhausted: the caller falls back to another channel or
 * starts over after a longer wait — an outage delays a code, it doesn't lose it (the code's
 * expiry ends the attempts).
 */
export function decide(err: ProviderError, p: Position, o: RetryOptions = defaultRetryOptions): Decision {
  if (err.kind === "permanent") return { action: "fail" };
  if (err.kind === "transient" && p.attempts < o.attemptsPerProvider) return { action: "retry", delayMs: backoffMs(p.attempts - 1, o) };
  if (p.providerIndex + 1 < p.providerCount) return { action: "failover", nextIndex: p.providerIndex + 1 };
  return { action: "exhausted", delayMs: backoffMs(o.attemptsPerProvider + p.round, o) };
}
