import type { Logger } from "pino";
import type { WebhookConfig } from "../config/config";
import { PgListener } from "../db/pg-listener";
import { backoffMs } from "../delivery/retry-policy";
import { webhookBody } from "./webhook-body";
import type { ClaimedMessage, WebhookMessageStore } from "./message-store";
import { sendWebhook, type SendResult } from "./webhook-sender";
import type { WebhookMetrics } from "./webhook-metrics";

export const WEBHOOK_NOTIFY_CHANNEL = "otpg_webhook";

export interface WebhookWorkerOptions {
  config: WebhookConfig;
  workerId: string;
  openSecret(endpointId: string, cipher: Buffer): string;
  metrics?: WebhookMetrics;
  /** Called once when a message's failure pauses its endpoint (records the block). */
  onPaused?(m: ClaimedMessage, consecutiveFailures: number): Promise<void>;
}

/**
 * Sends the webhook outbox, in the worker role, apart from the OTP deliveries: its own claim
 * loop, concurrency, lease and timeouts, so a receiver that answers slowly (or not at all)
 * holds webhook slots only, never a delivery or a request. Woken by NOTIFY from the outbox
 * triggers, with a poll as the safety net (retries that come due, lapsed leases).
 */
export class WebhookWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private round?: Promise<void>;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private listener?: PgListener;

  constructor(
    private readonly store: WebhookMessageStore,
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly options: WebhookWorkerOptions,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    this.listener = new PgListener(this.databaseUrl, WEBHOOK_NOTIFY_CHANNEL, () => this.wake(), this.log);
    await this.listener.start();
    this.timer = setInterval(() => this.wake(), this.options.config.pollMs);
    this.wake();
  }

  wake(): void {
    if (!this.running) return;
    this.dirty = true;
    this.round ??= this.loop().finally(() => {
      this.round = undefined;
      if (this.dirty) this.wake();
    });
  }

  /** Stops claiming and waits for in-flight sends within the grace period; the rest return when their lease lapses. */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    clearInterval(this.timer);
    const grace = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([this.round, grace]);
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    await this.listener?.stop();
  }

  private async loop(): Promise<void> {
    while (this.running && this.dirty) {
      this.dirty = false;
      const free = this.options.config.concurrency - this.inFlight.size;
      if (free <= 0) break;
      let claimed: ClaimedMessage[];
      try {
        claimed = await this.store.claim(free, this.options.config.leaseSeconds, this.options.workerId);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, "claiming webhook messages failed; will retry on the next poll");
        break;
      }
      for (const m of claimed) this.track(m);
      if (claimed.length === free) this.dirty = true;
    }
  }

  private track(m: ClaimedMessage): void {
    const p = this.handle(m)
      .catch((err) => this.log.error({ err: (err as Error).message, messageId: m.id }, "webhook send failed; the message returns when its lease lapses"))
      .finally(() => {
        this.inFlight.delete(p);
        this.wake();
      });
    this.inFlight.add(p);
  }

  private async handle(m: ClaimedMessage): Promise<void> {
    const { config, workerId, metrics } = this.options;
    const host = metrics?.host(m.url) ?? "";
    const result = await this.send(m);
    metrics?.latency.observe({ host }, result.latencyMs / 1000);
    const attempt = { statusCode: result.statusCode, latencyMs: result.latencyMs, error: result.error };
    if (result.ok) {
      if (await this.store.delivered(m, workerId, attempt)) {
        metrics?.attempts.inc({ host, outcome: "DELIVERED" });
        metrics?.messages.inc({ host, outcome: "sent" });
      }
      return;
    }
    const delayMs = backoffMs(m.attempts - 1, { ...config.retry, attemptsPerProvider: 0 });
    const windowEnd = new Date(m.windowStart).getTime() + config.retry.windowMs;
    if (Date.now() + delayMs <= windowEnd) {
      if (await this.store.retry(m, workerId, attempt, delayMs)) metrics?.attempts.inc({ host, outcome: "RETRY" });
      this.log.info({ messageId: m.id, endpointId: m.endpointId, attempt: m.attempts, statusCode: result.statusCode, err: result.error, retryInMs: delayMs }, "webhook attempt failed; will retry");
      return;
    }
    const failed = await this.store.failed(m, workerId, attempt);
    if (!failed.ok) return;
    metrics?.attempts.inc({ host, outcome: "FAILED" });
    metrics?.messages.inc({ host, outcome: "failed" });
    this.log.warn({ messageId: m.id, endpointId: m.endpointId, attempts: m.attempts, err: result.error }, "webhook message failed: retry window over");
    if (failed.paused) {
      this.log.warn({ endpointId: m.endpointId, appId: m.appId, host }, "webhook endpoint paused: every attempt failed for the whole retry window");
      await this.options.onPaused?.(m, failed.paused.consecutiveFailures);
    }
  }

  private async send(m: ClaimedMessage): Promise<SendResult> {
    const { config } = this.options;
    try {
      const secret = this.options.openSecret(m.endpointId, m.secretCipher);
      return await sendWebhook(m.url, secret, m.eventId, webhookBody(m), config.timeoutMs, config);
    } catch (err) {
      return { ok: false, statusCode: null, latencyMs: 0, error: (err as Error).message };
    }
  }
}
