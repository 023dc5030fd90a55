/** Small HTTP, lifecycle and waiting helpers shared by the vendor stand-ins. */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export type Waiter<T> = { pred: (r: T) => boolean; resolve: (r: T) => void };

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** One-shot POST without keep-alive, so stopping the receiver never hangs on our sockets. */
export function httpPost(url: string, headers: Record<string, string>, body: string, method = "POST"): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const mod = u.protocol === "https:" ? https : http;
    const req = mod.request(u, { method, headers: { ...headers, "Content-Length": Buffer.byteLength(body) }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on("timeout", () => req.destroy(new Error("callback timed out")));
    req.on("error", (err) => resolve({ status: 0, error: err.message }));
    req.end(body);
  });
}

export function notify<T>(waiters: Waiter<T>[], rec: T): void {
  for (const w of [...waiters]) {
    if (w.pred(rec)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(rec);
    }
  }
}

/** First already-recorded match, else the first future one; rejects after `timeoutMs`. */
export function waitFor<T>(list: T[], waiters: Waiter<T>[], pred: (r: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const found = list.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise<T>((resolve, reject) => {
    const w: Waiter<T> = {
      pred,
      resolve: (r) => { clearTimeout(timer); resolve(r); },
    };
    const timer = setTimeout(() => {
      waiters.splice(waiters.indexOf(w), 1);
      reject(new Error(`Timed out after ${timeoutMs}ms waiting for a matching ${what} (${list.length} recorded)`));
    }, timeoutMs);
    waiters.push(w);
  });
}

/** A JSON answer with its Content-Length (the vendors' SDKs read it). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Serves `handle` on a free loopback port; a handler that throws is answered by `onError` (the vendor's own 500). */
export async function listenLocal(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  onError: (res: http.ServerResponse, err: unknown) => void,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => void handle(req, res).catch((err) => onError(res, err)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes a stand-in's server now: the gateway's keep-alive connections are cut first, or close() would wait for them to idle out. */
export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * What a stand-in does after it has answered (status callbacks, each after a delay), tracked so
 * that stop() ends it: delays still pending are cut short — the tasks then see `stopped` and
 * send nothing — and callbacks already being posted are waited for.
 */
export class Background {
  stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  /** Starts `task` without waiting for it. */
  run(task: () => Promise<void>): void {
    const p = task().finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Resolves after `ms`, or as soon as the stand-in stops. */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.timers.delete(t); resolve(); }, ms);
      this.timers.set(t, resolve);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const [t, wake] of this.timers) { clearTimeout(t); wake(); }
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}

/**
 * What the vendor stand-ins that post callbacks share: a loopback server, its URL, and a stop
 * that cuts the callbacks still waiting and lets the ones in flight finish before the server
 * closes (Background).
 */
export abstract class LoopbackFake {
  private server!: http.Server;
  protected port = 0;
  protected readonly background = new Background();

  /** Listens on a free loopback port; `onError` answers a request whose handler threw, in the vendor's error shape. */
  protected async listen(
    handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
    onError: (res: http.ServerResponse, err: unknown) => void,
  ): Promise<void> {
    ({ server: this.server, port: this.port } = await listenLocal(handle, onError));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.background.stop();
    await closeServer(this.server);
  }
}
