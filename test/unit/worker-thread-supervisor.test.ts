import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { WorkerThreadSupervisor } from "../../server/src/serve/worker-thread";
import { LogCapture } from "../helpers/log-capture";
import { eventually } from "../helpers/codes";

/**
 * The supervisor with real threads running small scripts that speak its protocol: a thread
 * that crashes is started again (with backoff), one told to stop drains and exits, and a
 * first start that fails is an error for `serve` to report.
 */
const dir = mkdtempSync(join(tmpdir(), "otpg-thread-"));

/** A thread script: says ready, answers metrics with `counter`, crashes `crashes` times (counted in a file), drains on stop. */
function script(name: string, opts: { crashes?: number; failStart?: boolean } = {}): { entry: string; counter: string } {
  const counter = join(dir, `${name}.count`);
  writeFileSync(counter, "0");
  const entry = join(dir, `${name}.js`);
  writeFileSync(entry, `
    const { parentPort, workerData } = require("node:worker_threads");
    const fs = require("node:fs");
    const runs = Number(fs.readFileSync(${JSON.stringify(counter)}, "utf8")) + 1;
    fs.writeFileSync(${JSON.stringify(counter)}, String(runs));
    if (${Boolean(opts.failStart)}) process.exit(3);
    parentPort.postMessage({ type: "ready" });
    if (runs <= ${opts.crashes ?? 0}) setTimeout(() => process.exit(1), 20);
    parentPort.on("message", (m) => {
      if (m.type === "metrics") parentPort.postMessage({ type: "metrics", id: m.id, metrics: [{ name: "t_runs", help: "runs", type: "gauge", aggregator: "sum", values: [{ value: runs, labels: {} }] }] });
      if (m.type === "stop") setTimeout(() => { fs.writeFileSync(${JSON.stringify(counter)} + ".drained", workerData.databaseUrl); parentPort.close(); }, 50);
    });
  `);
  return { entry, counter };
}

const supervisor = (entry: string) => new WorkerThreadSupervisor({ entry, data: { env: {} }, restartDelayMs: 20, maxRestartDelayMs: 100 });

describe("WorkerThreadSupervisor", () => {
  it("starts the thread on the main thread's database, answers its metrics, and on stop lets it drain", async () => {
    const { entry, counter } = script("steady");
    const s = supervisor(entry);
    await s.start("postgres://main-thread-db", pino(new LogCapture()));
    expect(s.state).toBe("running");
    expect((await s.metrics())[0]).toMatchObject({ name: "t_runs", values: [{ value: 1 }] });
    await s.stop(1000);
    expect(s.state).toBe("stopped");
    expect(readFileSync(`${counter}.drained`, "utf8")).toBe("postgres://main-thread-db");
    expect(await s.metrics()).toEqual([]);
  });

  it("starts another thread when one crashes, with a growing delay, and says so in the log", async () => {
    const { entry, counter } = script("crashy", { crashes: 2 });
    const logs = new LogCapture();
    const s = supervisor(entry);
    await s.start("postgres://db", pino(logs));
    await eventually(() => (s.starts === 3 && s.state === "running" ? true : undefined), "the third thread running", 5000);
    expect(Number(readFileSync(counter, "utf8"))).toBe(3);
    const restarts = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "worker thread exited unexpectedly; starting another");
    expect(restarts.map((l) => l.restartInMs)).toEqual([20, 40]);
    // The third one stays up: no more restarts, and it answers.
    await new Promise((r) => setTimeout(r, 150));
    expect(s.starts).toBe(3);
    expect((await s.metrics())[0].values[0].value).toBe(3);
    await s.stop(1000);
  });

  it("a thread that cannot start the first time fails start(), for serve to exit with the reason", async () => {
    const { entry } = script("broken", { failStart: true });
    const s = supervisor(entry);
    await expect(s.start("postgres://db", pino(new LogCapture()))).rejects.toThrow(/exited with code 3 before it was ready/);
    expect(s.starts).toBe(1);
  });
});

process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
