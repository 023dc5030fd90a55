import { Client } from "pg";
import type { Logger } from "pino";

/**
 * LISTEN on a dedicated connection, calling `onNotify` for each notification; on loss it
 * reconnects in the background (every second) while the caller's polling covers the gap.
 */
export class PgListener {
  private client?: Client;
  private running = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private retryLater(): void {
    if (this.running) setTimeout(() => void this.connect().catch(() => undefined), 1000).unref();
  }

  private async connect(): Promise<void> {
    if (!this.running) return;
    const client = new Client({ connectionString: this.databaseUrl });
    client.on("notification", () => this.onNotify());
    client.on("error", () => undefined);
    client.on("end", () => {
      if (this.client === client) this.retryLater();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (!this.running) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
    } catch (err) {
      this.log.warn({ err: (err as Error).message, channel: this.channel }, "LISTEN failed; polling until it reconnects");
      await client.end().catch(() => undefined);
      this.retryLater();
    }
  }
}
