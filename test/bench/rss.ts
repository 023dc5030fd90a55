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

  constructor(private readonly pid: number, everyMs = 50) {
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
