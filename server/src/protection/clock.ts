/**
 * The clock the protection budgets are kept by. Production runs on the wall clock; the traffic
 * simulator (test/simulate) injects a faster one so that a week of traffic runs in minutes, and
 * the replay judges recorded rows on their own timestamps. `at` maps a wall-clock time stored
 * by Postgres (a verification's created_at) onto this clock.
 */
export interface ProtectionClock {
  now(): number;
  at(wallMs: number): number;
}

export const WALL_CLOCK: ProtectionClock = { now: () => Date.now(), at: (ms) => ms };

/** A clock running `speed` times faster than the wall clock from now on (the simulator's). */
export function fastClock(speed: number, start = Date.now()): ProtectionClock {
  return { now: () => start + (Date.now() - start) * speed, at: (ms) => start + (ms - start) * speed };
}
