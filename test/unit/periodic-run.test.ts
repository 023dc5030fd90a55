import { describe, expect, it } from "vitest";
import { PeriodicRun } from "../../server/src/jobs/periodic-run";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PeriodicRun (the upkeep jobs' timer)", () => {
  it("stopped before its first run, it starts nothing (the first timer is cancelled too)", async () => {
    let runs = 0;
    const job = new PeriodicRun(async () => void runs++, () => {});
    job.start(60_000, 20);
    await job.stop();
    await sleep(100);
    expect(runs).toBe(0);
    expect(job.stopped).toBe(true);
  });

  it("never runs twice at once, reports a failure and runs again, and stop waits for the run in flight", async () => {
    let runs = 0;
    let inFlight = 0;
    let most = 0;
    const errors: string[] = [];
    let release!: () => void;
    const job = new PeriodicRun(async () => {
      runs++;
      inFlight++;
      most = Math.max(most, inFlight);
      if (runs === 1) { inFlight--; throw new Error("boom"); }
      await new Promise<void>((r) => (release = r));
      inFlight--;
    }, (err) => errors.push(err.message));
    job.start(5, 1);
    await expect.poll(() => runs, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    await sleep(50); // ticks keep coming while the second run is held
    expect(runs).toBe(2);
    expect(most).toBe(1);
    expect(errors).toEqual(["boom"]);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(stopped).toBe(true);
  });
});
