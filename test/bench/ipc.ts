/**
 * The benchmark's processes talk over Node's IPC channel: a child announces `ready` (with
 * whatever the parent needs, e.g. a URL), then answers numbered commands. Each load
 * generator, server and stand-in is a separate process, so none of them steals the
 * measured process's event loop.
 */
import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface Child<R = any> {
  process: ChildProcess;
  ready: R;
  call<T = any>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  /** Asks the child to stop, then waits for its exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Forks a compiled sibling script (dist/test/bench/<name>.js) and waits for its `ready` message. */
export function forkChild<R = any>(name: string, env: Record<string, string | undefined> = {}, execArgv: string[] = [], timeoutMs = 120_000): Promise<Child<R>> {
  const child = fork(join(__dirname, `${name}.js`), [], {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let next = 0;
  const waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.on("exit", (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal}) during a command`));
    waiting.clear();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not become ready`)), timeoutMs);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    child.on("message", (m: any) => {
      if (m?.type === "ready") {
        clearTimeout(timer);
        resolve({
          process: child,
          ready: m.ready,
          call(cmd, args = {}) {
            const id = ++next;
            return new Promise((res, rej) => {
              waiting.set(id, { resolve: res, reject: rej });
              child.send({ id, cmd, args });
            });
          },
          async stop(graceMs = 30_000) {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.send({ id: 0, cmd: "exit", args: {} });
            const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
            await exited;
            clearTimeout(t);
          },
        });
      } else if (m?.id && waiting.has(m.id)) {
        const w = waiting.get(m.id)!;
        waiting.delete(m.id);
        if (m.error) w.reject(new Error(m.error));
        else w.resolve(m.result);
      }
    });
  });
}

type Handler = (args: any) => Promise<unknown> | unknown;

/** In a child: announce readiness and serve commands; `exit` runs `onExit` then ends the process. */
export function serveParent(ready: unknown, handlers: Record<string, Handler>, onExit: () => Promise<void> = async () => undefined): void {
  process.on("message", async (m: any) => {
    if (m?.cmd === "exit") {
      await onExit().catch(() => undefined);
      process.exit(0);
    }
    const h = handlers[m?.cmd];
    try {
      if (!h) throw new Error(`unknown command ${m?.cmd}`);
      process.send!({ id: m.id, result: await h(m.args) });
    } catch (err) {
      process.send!({ id: m.id, error: (err as Error).stack ?? String(err) });
    }
  });
  // The parent went away: don't linger.
  process.on("disconnect", () => void onExit().finally(() => process.exit(0)));
  process.send!({ type: "ready", ready });
}
