/**
 * Steady background traffic for fault tests: a few concurrent callers sending requestOtp to
 * fresh numbers (and fresh client IPs) until stopped, keeping every answer with when it
 * started, so a test can say what was accepted before, during and after a fault.
 */
import { errorCode, gql } from "./graphql-client";
import { randomIp, randomUsNumber } from "../bench/numbers";

export interface Outcome { startedAt: number; endedAt: number; destination: string; id?: string; code?: string; message?: string; extensions?: Record<string, unknown> }

const REQUEST = `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id status } }`;

export class RequestLoad {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(private readonly url: string, private readonly key: string, concurrency = 3, private readonly pauseMs = 20) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const destination = randomUsNumber();
      const startedAt = Date.now();
      try {
        const r = await gql(this.url, this.key, REQUEST, { input: { destination, channel: "SMS", clientIp: randomIp() } });
        const e = r.errors?.[0];
        this.outcomes.push({ startedAt, endedAt: Date.now(), destination, id: r.data?.requestOtp?.id, code: errorCode(r), message: e?.message, extensions: e?.extensions });
      } catch (err) {
        this.outcomes.push({ startedAt, endedAt: Date.now(), destination, code: "TRANSPORT", message: (err as Error).message });
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  accepted(): Outcome[] {
    return this.outcomes.filter((o) => o.id);
  }

  /** Outcomes of requests started after `t` (epoch ms). */
  since(t: number): Outcome[] {
    return this.outcomes.filter((o) => o.startedAt >= t);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
