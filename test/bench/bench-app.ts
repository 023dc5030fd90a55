import type { AppOptions } from "../../server/src/apps/app-service";

/**
 * The client app the benchmark drives. Contract defaults stay where load can't trip them
 * (6 digits, 5 attempts, per-IP and per-prefix limits, the pumping guard: destinations and
 * client IPs are random, as many users' would be); what one busy app would raise is raised:
 * its hourly budget, the per-country cap (every bench number is in the US), sends per
 * destination, and the TTL (codes are verified up to a few minutes after they were sent).
 * Resend cooldown 0: the fan-out phase drives events with resends.
 */
export const BENCH_APP: AppOptions = {
  name: "Bench",
  ttlSeconds: 600, // NIST SP 800-63B's ceiling in production (nist-bounds.ts): the verify phases type codes back within minutes
  maxSends: 1000,
  hourlyBudget: 10_000_000,
  resendCooldownSeconds: 0,
  // Random numbers, most never verified: the pumping guard runs (its script step costs what it costs) with
  // floors no load reaches, so the phases measure throughput, not refusals (test/bench/pumping.ts measures those).
  settings: { limits: { sendsPerCountry: { max: 10_000_000, windowSeconds: 3600 }, pumping: { prefix: { floor: 1_000_000 }, country: { floor: 1_000_000 }, unproven: { floor: 1_000_000 }, app: { floor: 1_000_000 } } } } as AppOptions["settings"],
};

export const BENCH_TWILIO = { accountSid: "AC00000000000000000000000000bench", authToken: "bench-auth-token-0123456789abcdef", from: "+15005550006" };
