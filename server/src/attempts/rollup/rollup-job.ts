import type { DataSource } from "typeorm";
import type { Logger } from "pino";
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
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  /** Told of each pass that held the lock (metrics). */
  onPass?: (pass: RollPass) => void;

  constructor(
    private readonly ds: DataSource,
    private readonly log: Logger,
  ) {}

  start(): void {
    const tick = () => {
      this.running ??= this.catchUp()
        .catch((err) => this.log.warn({ err: (err as Error).message }, "attempt rollup pass failed; next pass as scheduled"))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, ROLLUP_INTERVAL_SECONDS * 1000);
    this.timer.unref();
    setTimeout(tick, 5000).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const pass = await rollPass(this.ds);
      if (!pass) return;
      this.onPass?.(pass);
      if (pass.rolled > 0) this.log.debug({ rolled: pass.rolled, rerolled: pass.rerolled }, "attempt rollup pass");
      if (!pass.more || this.stopped) return;
    }
  }
}
