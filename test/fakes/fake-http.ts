/** Small HTTP and waiting helpers shared by the vendor stand-ins. */
import http from "node:http";
import https from "node:https";

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
