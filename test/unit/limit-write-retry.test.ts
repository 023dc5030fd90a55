import { describe, expect, it } from "vitest";
import pino from "pino";
import { LimitWriteRetry, type DeferredOutcome } from "../../server/src/protection/limit-write-retry";
import { LogCapture } from "../helpers/log-capture";
import { eventually } from "../helpers/codes";

/** A store that can be switched off, standing in for a limiter that is unreachable for a while. */
class Store {
  up = false;
  readonly writes: string[] = [];
  write(name: string): () => Promise<void> {
    return async () => {
      if (!this.up) throw new Error("the client is offline");
      this.writes.push(name);
    };
  }
}

function retry(options = {}) {
  const logs = new LogCapture();
  const r = new LimitWriteRetry(pino(logs), { minDelayMs: 5, maxDelayMs: 20, ...options });
  const outcomes: DeferredOutcome[] = [];
  r.onOutcome = (o) => outcomes.push(o);
  return { r, logs, outcomes };
}

describe("LimitWriteRetry", () => {
  it("makes a write at once when it can, queueing nothing", async () => {
    const store = new Store();
    store.up = true;
    const { r, outcomes, logs } = retry();
    await r.run("a", store.write("a"));
    expect(store.writes).toEqual(["a"]);
    expect(r.pending).toBe(0);
    expect(outcomes).toEqual([]);
    // A shutdown with nothing waiting says nothing.
    await r.drain();
    expect(logs.lines).toEqual([]);
  });

  it("keeps failed writes and makes each once, in order, when the store is back; a later write waits behind them", async () => {
    const store = new Store();
    const { r, outcomes } = retry();
    await r.run("penalty 1", store.write("penalty 1"));
    await r.run("penalty 2", store.write("penalty 2"));
    expect(r.pending).toBe(2);
    store.up = true;
    // Queued behind the waiting ones, though it could be made now: a reset must not overtake a penalty.
    await r.run("reset", store.write("reset"));
    await eventually(() => (r.pending === 0 ? true : undefined), "the queue drained");
    expect(store.writes).toEqual(["penalty 1", "penalty 2", "reset"]);
    expect(outcomes.filter((o) => o === "retried")).toHaveLength(3);
  });

  it("run never throws, whatever the write does", async () => {
    const { r } = retry();
    await expect(r.run("x", async () => { throw new Error("boom"); })).resolves.toBeUndefined();
    await r.drain();
  });

  it("bounds what waits: past maxPending the oldest is dropped and counted", async () => {
    const store = new Store();
    const { r, outcomes } = retry({ maxPending: 2 });
    for (const n of ["1", "2", "3"]) await r.run(n, store.write(n));
    expect(r.pending).toBe(2);
    expect(outcomes.filter((o) => o === "dropped")).toHaveLength(1);
    store.up = true;
    await eventually(() => (r.pending === 0 ? true : undefined), "the queue drained");
    expect(store.writes).toEqual(["2", "3"]);
  });

  it("drops writes older than maxAgeMs instead of charging a window long gone", async () => {
    const store = new Store();
    const { r, outcomes } = retry({ maxAgeMs: 1 });
    await r.run("old", store.write("old"));
    await new Promise((res) => setTimeout(res, 10));
    store.up = true;
    await eventually(() => (r.pending === 0 ? true : undefined), "the queue emptied");
    expect(store.writes).toEqual([]);
    expect(outcomes).toContain("dropped");
  });

  it("drain tries once more at shutdown and reports what it could not make, by rule name only", async () => {
    const store = new Store();
    const { r, logs } = retry({ minDelayMs: 60_000, maxDelayMs: 60_000 });
    await r.run("verify_failures_per_ip", store.write("a"));
    await r.run("verify_failures_per_ip", store.write("b"));
    await r.drain();
    expect(r.pending).toBe(0);
    const lost = logs.lines.map((l) => JSON.parse(l)).find((l) => l.lost);
    expect(lost).toMatchObject({ lost: 2, writes: ["verify_failures_per_ip"] });

    const back = new Store();
    back.up = false;
    const again = retry({ minDelayMs: 60_000, maxDelayMs: 60_000 });
    await again.r.run("x", back.write("x"));
    back.up = true;
    await again.r.drain();
    expect(back.writes).toEqual(["x"]);
    expect(again.logs.text).not.toContain('"lost"');
  });
});
