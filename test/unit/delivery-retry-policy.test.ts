import { describe, expect, it } from "vitest";
import { backoffMs, decide, type Position } from "../../server/src/delivery/retry-policy";
import { ProviderError } from "../../server/src/providers/provider";

const o = { attemptsPerProvider: 3, baseDelayMs: 1000, maxDelayMs: 60_000 };
const at = (p: Partial<Position>): Position => ({ attempts: 1, providerIndex: 0, providerCount: 2, round: 0, ...p });
const transient = new ProviderError("transient", "20503", "Service unavailable");
const vendor = new ProviderError("provider", "20003", "Authenticate");
const permanent = new ProviderError("permanent", "21211", "Invalid 'To'");

describe("retry policy", () => {
  it("retries a transient failure on the same provider until its attempts are used, then fails over", () => {
    expect(decide(transient, at({ attempts: 1 }), o)).toMatchObject({ action: "retry" });
    expect(decide(transient, at({ attempts: 2 }), o)).toMatchObject({ action: "retry" });
    expect(decide(transient, at({ attempts: 3 }), o)).toEqual({ action: "failover", nextIndex: 1 });
  });

  it("fails over at once on a provider failure (auth, account, open circuit)", () => {
    expect(decide(vendor, at({ attempts: 1 }), o)).toEqual({ action: "failover", nextIndex: 1 });
  });

  it("stops on a permanent failure wherever it happens", () => {
    expect(decide(permanent, at({ attempts: 1 }), o)).toEqual({ action: "fail" });
    expect(decide(permanent, at({ providerIndex: 1, round: 4 }), o)).toEqual({ action: "fail" });
  });

  it("after the last provider, the pass is exhausted: a longer wait that grows with each round, capped", () => {
    const first = decide(vendor, at({ providerIndex: 1 }), o);
    expect(first.action).toBe("exhausted");
    const delay = (round: number) => (decide(transient, at({ attempts: 3, providerIndex: 1, round }), o) as { delayMs: number }).delayMs;
    // Equal jitter: between half the ceiling and the ceiling, the ceiling doubling per round.
    expect(delay(0)).toBeGreaterThanOrEqual(4000);
    expect(delay(0)).toBeLessThanOrEqual(8000);
    expect(delay(1)).toBeGreaterThanOrEqual(8000);
    expect(delay(20)).toBeLessThanOrEqual(60_000);
    expect(delay(20)).toBeGreaterThanOrEqual(30_000);
  });

  it("backs off exponentially with jitter inside [ceiling/2, ceiling]", () => {
    const samples = Array.from({ length: 200 }, () => backoffMs(2, o));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(4000);
    expect(new Set(samples).size).toBeGreaterThan(1); // jittered, not all equal
  });
});
