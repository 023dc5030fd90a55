import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Webhook } from "standardwebhooks";
import { isIP } from "node:net";
import { guardedLookup, isInwardAddress, type TargetPolicy } from "./target-policy";

export interface SendResult { ok: boolean; statusCode: number | null; latencyMs: number; error: string | null }

const MAX_ERROR_BODY = 200;

/**
 * POSTs one signed webhook (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, signed by the
 * `standardwebhooks` package). The id is the event's, the same on every retry; the timestamp
 * and signature are fresh per attempt (receivers refuse old ones). A 2xx is success; anything
 * else, a redirect (never followed: it could point anywhere), a timeout or a connection error
 * is a failure to retry. The whole exchange is bounded by `timeoutMs`.
 */
export async function sendWebhook(url: string, secret: string, id: string, body: string, timeoutMs: number, policy: TargetPolicy, now = new Date()): Promise<SendResult> {
  const started = performance.now();
  const signature = new Webhook(secret).sign(id, now, body);
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  // An address literal skips `lookup`: the same check here (the policy may have tightened since the endpoint was added).
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  if (isIP(literal) && !policy.allowPrivateTargets && isInwardAddress(literal)) {
    return { ok: false, statusCode: null, latencyMs: 0, error: "EPRIVATETARGET: the URL points at a private or loopback address" };
  }
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const done = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({ ok, statusCode, latencyMs: performance.now() - started, error: ok ? null : error ?? `HTTP ${statusCode}` });
    };
    const req = request(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "user-agent": "otp-gateway-webhooks",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signature,
      },
      lookup: guardedLookup(policy) as any,
    });
    const timer = setTimeout(() => {
      done(null, `Timed out after ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) => done(null, err.code ? `${err.code}: ${err.message}` : err.message));
    req.on("response", (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (text.length < MAX_ERROR_BODY) text += chunk;
      });
      res.on("end", () => done(status, status >= 200 && status < 300 ? null : `HTTP ${status}${text ? `: ${text.slice(0, MAX_ERROR_BODY)}` : ""}`));
      res.on("error", (err) => done(status, err.message));
    });
    req.end(body);
  });
}
