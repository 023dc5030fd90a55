import { afterEach, describe, expect, it, vi } from "vitest";
import { GuardedProvider } from "../../server/src/providers/circuit-breaker";
import { ProviderError, type OutboundMessage, type Provider } from "../../server/src/providers/provider";
import { Channel } from "../../server/src/verification/enums";

/** A scripted vendor: each send takes the next outcome ("ok", or an error kind). */
function scripted(outcomes: string[]): Provider & { calls: number } {
  return {
    name: "scripted", channels: [Channel.SMS], calls: 0,
    async send() {
      this.calls++;
      const next = outcomes.shift() ?? "ok";
      if (next === "ok") return { providerMessageId: `m${this.calls}` };
      throw new ProviderError(next as "transient" | "provider" | "permanent", next.toUpperCase(), next);
    },
  };
}
const message = { channel: Channel.SMS, to: "+14155550100", text: "x", deliveryId: "d", verificationId: "v", appId: "a" } as OutboundMessage;
const options = { consecutiveFailures: 3, failureRatio: 0.5, window: 10, halfOpenAfterMs: 50 };
const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: ProviderError) => e.code);

describe("provider circuit breaker", () => {
  it("opens after consecutive vendor failures and then refuses with CIRCUIT_OPEN without calling the vendor", async () => {
    const inner = scripted(["transient", "provider", "transient"]);
    const p = new GuardedProvider(inner, options);
    for (let i = 0; i < 3; i++) await codeOf(p.send(message));
    expect(p.health()).toMatchObject({ provider: "scripted", state: "open", lastErrorCode: "TRANSIENT" });
    expect(p.health().retryAt).not.toBeNull();
    const refused = await p.send(message).catch((e: ProviderError) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ kind: "provider", code: "CIRCUIT_OPEN" });
    expect(inner.calls).toBe(3);
  });

  afterEach(() => vi.useRealTimers());

  it("half-opens after the delay: a success closes it, a failure opens it again", async () => {
    // The breaker's clock is Date: moved by hand, so that a loaded machine's pause between two
    // sends can't pass the half-open delay where the test means it not to have passed.
    vi.useFakeTimers({ toFake: ["Date"] });
    const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
    const inner = scripted(["transient", "transient", "transient", "transient", "ok"]);
    const p = new GuardedProvider(inner, options);
    for (let i = 0; i < 3; i++) await codeOf(p.send(message));
    expect(await codeOf(p.send(message))).toBe("CIRCUIT_OPEN"); // not yet 50 ms
    later(60);
    expect(await codeOf(p.send(message))).toBe("TRANSIENT"); // the test call fails
    expect(p.state).toBe("open");
    expect(await codeOf(p.send(message))).toBe("CIRCUIT_OPEN");
    later(60);
    expect(await codeOf(p.send(message))).toBe("ok");
    expect(p.state).toBe("closed");
  });

  it("opens on a failure ratio over the window even without a long run of failures", async () => {
    const p = new GuardedProvider(scripted(["ok", "transient", "ok", "transient", "transient", "ok", "transient", "transient", "ok", "transient"]), options);
    for (let i = 0; i < 10; i++) await codeOf(p.send(message));
    expect(p.state).toBe("open");
  });

  it("does not count permanent failures (the destination's fault) against the vendor", async () => {
    const p = new GuardedProvider(scripted(["permanent", "permanent", "permanent", "permanent"]), options);
    for (let i = 0; i < 4; i++) expect(await codeOf(p.send(message))).toBe("PERMANENT");
    expect(p.state).toBe("closed");
  });
});
