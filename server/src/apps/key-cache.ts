import { Client } from "pg";
import type { Logger } from "pino";
import type { AppEntity } from "./app.entity";

export const APP_CHANGED_CHANNEL = "otpg_app_changed";

interface Entry { secretHash: Buffer; app: AppEntity; storedAt: number }

/**
 * Authenticated API keys, kept for ten seconds so that a request costs no key lookup. Correctness
 * rests on Postgres: a trigger notifies APP_CHANGED_CHANNEL with the app's id whenever the app
 * or one of its keys changes (migration AppChangeNotify), and that app's entries are dropped
 * here. The cache serves only while its LISTEN connection is up — when it drops, everything is
 * forgotten and lookups go to the database until it is back — so a missed notification can't
 * keep a revoked key alive. The TTL bounds what any other surprise could cost (a notification
 * delayed or lost on a connection that still looks alive): a key revoked anywhere is refused by
 * every process within the NOTIFY's delivery, milliseconds, and never later than `ttlMs`. The
 * process that revokes drops the app's entries itself before answering (AppService.revokeKeys).
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private listener?: Client;
  private listening = false;
  private running = false;
  /** Bumped on every invalidation: a lookup that started before one must not store its (maybe stale) answer. */
  private generation = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 10_000,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.forget();
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  get version(): number {
    return this.generation;
  }

  get(keyId: string): Entry | undefined {
    if (!this.listening) return undefined;
    const e = this.entries.get(keyId);
    if (e && Date.now() - e.storedAt > this.ttlMs) {
      this.entries.delete(keyId);
      return undefined;
    }
    return e;
  }

  /** Stores a lookup's answer, unless something changed since `versionAtLookup` (or we aren't listening). */
  set(keyId: string, secretHash: Buffer, app: AppEntity, versionAtLookup: number): void {
    if (!this.listening || versionAtLookup !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(keyId, { secretHash, app, storedAt: Date.now() });
  }

  /** Drops an app's entries: on its NOTIFY, and at once for changes this process made itself. */
  invalidate(appId: string): void {
    this.generation++;
    for (const [k, e] of this.entries) if (e.app.id === appId) this.entries.delete(k);
  }

  private forget(): void {
    this.listening = false;
    this.generation++;
    this.entries.clear();
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new Client({ connectionString: this.databaseUrl });
    client.on("notification", (n) => n.payload && this.invalidate(n.payload));
    client.on("error", () => undefined);
    client.on("end", () => {
      if (this.listener !== client) return;
      this.forget();
      if (this.running) this.log.warn("API key cache: LISTEN connection lost; looking keys up in the database until it reconnects");
      this.listener = undefined;
      if (this.running) setTimeout(() => void this.listen(), 1000).unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${APP_CHANGED_CHANNEL}`);
      this.listener = client;
      this.generation++;
      this.listening = true;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "API key cache: LISTEN failed; looking keys up in the database until it reconnects");
      await client.end().catch(() => undefined);
      if (this.running) setTimeout(() => void this.listen(), 1000).unref();
    }
  }
}
