import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { PeriodicRun } from "../../jobs/periodic-run";
import { rollPass, type RollPass } from "./roll-hours";

/** Seconds between passes: a closed hour is served from the rollup about this long after ROLL_GRACE_SECONDS. */
export const ROLLUP_INTERVAL_SECONDS = 60;

/**
 * The worker role's upkeep of the attempts' hourly rollup (roll-hours.ts): every minute, the
 * hours marked dirty are rolled again and closed hours not rolled yet are rolled; a pass that
 * leaves more to catch up on (the first run over months of attempts) is followed at once by the
 * next. Until an hour is rolled, summaries read it live: a slow or stopped roller costs speed,
 * never correctness.
 */
export class RollupJob {
  private readonly timer: PeriodicRun;
  /** Told of each pass that held the lock (metrics). */
  onPass?: (pass: RollPass) => void;

  constructor(
    private readonly ds: DataSource,
    private readonly log: Logger,
  ) {
    this.timer = new PeriodicRun(
      () => this.catchUp(),
      (err) => this.log.warn({ err: err.message }, "attempt rollup pass failed; next pass as scheduled"),
    );
  }

  start(): void {
    this.timer.start(ROLLUP_INTERVAL_SECONDS * 1000, 5000);
  }

  stop(): Promise<void> {
    return this.timer.stop();
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const pass = await rollPass(this.ds);
      if (!pass) return;
      this.onPass?.(pass);
      if (pass.rolled > 0) this.log.debug({ rolled: pass.rolled, rerolled: pass.rerolled }, "attempt rollup pass");
      if (!pass.more || this.timer.stopped) return;
    }
  }
}
