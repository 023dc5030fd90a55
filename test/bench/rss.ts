import { readFileSync } from "node:fs";

/** Resident set size of a process in bytes, from /proc (Linux), or 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs`; `peak()` is the highest since the last `reset()`. */
export class RssSampler {
  private max = 0;
  private timer: NodeJS.Timeout;

  constructor(readonly pid: number, everyMs = 50) {
    this.timer = setInterval(() => (this.max = Math.max(this.max, rssOf(this.pid))), everyMs);
    this.timer.unref();
  }

  reset(): void {
    this.max = rssOf(this.pid);
  }

  peak(): number {
    return Math.max(this.max, rssOf(this.pid));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat: every
 * thread of the process (the line of a thread group sums its threads: a `serve`'s API and
 * worker threads, V8's helpers, libuv's pool) plus its waited-for children (a gateway starts
 * none today; counted so that one that did could not hide its work there).
 */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime, stime, cutime and cstime are fields 14–17 of the line (11–14 after the command name), in clock ticks.
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux we run on. */
const CLOCK_TICKS = 100;
