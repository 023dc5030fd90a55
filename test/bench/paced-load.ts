/**
 * An open-loop, evenly paced load for the "at ½ max rate" phases. autocannon's rate option
 * lets each connection send its per-second quota back to back and then wait for the next
 * second, so a "half rate" run was a full-speed burst for half of every second, and its
 * latency was the burst's queueing. Here request i leaves at start + i / rate whatever the
 * answers are doing (as wrk2 does), and its latency counts from that scheduled moment, so a
 * stall shows up in the percentiles instead of silently slowing the sender.
 */
import http from "node:http";
import * as hdr from "hdr-histogram-js";
import type { Scenario } from "./scenarios";

export interface PacedResult {
  requests: number;
  durationS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  timeouts: number;
  socketErrors: number;
}

const TICK_MS = 1;

export async function pacedRun(scenario: Scenario, rate: number, durationS: number, maxSockets = 256, timeoutMs = 30_000): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  const url = new URL(scenario.url);
  const total = Math.max(1, Math.round(rate * durationS));
  const start = performance.now();
  let sent = 0;
  let done = 0;
  let timeouts = 0;
  let socketErrors = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const settle = () => {
    if (++done === total) finish();
  };

  const send = (i: number) => {
    const scheduled = start + (i * 1000) / rate;
    const template = scenario.requests[i % scenario.requests.length] as any;
    const context: Record<string, unknown> = {};
    const req = template.setupRequest ? template.setupRequest({ ...template }, context) : { ...template };
    const r = http.request({
      host: url.hostname, port: url.port, path: req.path, method: req.method, headers: req.headers, agent, timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        histogram.recordValue(Math.max(1, Math.round((performance.now() - scheduled) * 1000)));
        template.onResponse?.(res.statusCode ?? 0, Buffer.concat(chunks).toString(), context);
        settle();
      });
    });
    let timedOut = false;
    r.on("timeout", () => {
      timedOut = true;
      timeouts++;
      r.destroy(new Error("timeout"));
    });
    r.on("error", () => {
      if (!timedOut) socketErrors++;
      settle();
    });
    r.end(req.body);
  };

  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (sent < due) send(sent++);
    if (sent >= total) clearInterval(timer);
  }, TICK_MS);
  await finished;
  clearInterval(timer);
  agent.destroy();
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    requests: total,
    durationS: (performance.now() - start) / 1000,
    latencyMs: {
      p50: ms(histogram.getValueAtPercentile(50)), p90: ms(histogram.getValueAtPercentile(90)), p99: ms(histogram.getValueAtPercentile(99)),
      max: ms(histogram.maxValue), mean: ms(histogram.mean),
    },
    timeouts,
    socketErrors,
  };
}
