/**
 * A worker's upkeep job on a timer (retention, the attempts' rollup): a first run shortly after
 * start, then one every interval; never two at once (a tick while a run is in flight is skipped);
 * a failed run is reported and the next goes as scheduled; `stop` cancels both timers — the first
 * run's too, so a process stopped in its first seconds starts nothing on a closed pool — and waits
 * for the run in flight.
 */
export class PeriodicRun {
  private interval?: NodeJS.Timeout;
  private first?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stoppedFlag = false;

  constructor(
    private readonly run: () => Promise<unknown>,
    private readonly onError: (err: Error) => void,
  ) {}

  /** True once stop() was called: a long run checks it between its steps. */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  start(intervalMs: number, firstAfterMs: number): void {
    const tick = () => {
      this.running ??= this.run()
        .catch((err) => this.onError(err as Error))
        .finally(() => (this.running = undefined));
    };
    this.interval = setInterval(tick, intervalMs);
    this.interval.unref();
    this.first = setTimeout(tick, firstAfterMs);
    this.first.unref();
  }

  async stop(): Promise<void> {
    this.stoppedFlag = true;
    clearInterval(this.interval);
    clearTimeout(this.first);
    await this.running;
  }
}
