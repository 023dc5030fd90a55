import type { Logger } from "pino";
import type { AppEntity } from "../apps/app.entity";
import type { Channel } from "../verification/enums";
import { isPhoneChannel, type Destination } from "../verification/destination";
import type { CamaraSimSwapClient } from "./camara-sim-swap-client";
import { SimSwapServiceError } from "./sim-swap-service-error";
import { SimSwapResult } from "./sim-swap-result";
import type { SimSwapAction } from "./sim-swap-settings";

/** What the check found for one request, and what the app's setting makes of it. */
export interface SimSwapVerdict {
  result: SimSwapResult;
  checkedAt: Date;
  maxAgeHours: number;
  action: SimSwapAction;
  /** SWAPPED under `refuse`: no code is sent. */
  refuse: boolean;
}

/** Where the gate reports each check (observability/metrics.ts): low-cardinality labels only. */
export interface SimSwapObserver {
  (result: SimSwapResult, action: SimSwapAction, seconds: number): void;
}

/**
 * The SIM-swap check before a phone code. It applies to a send — a request, a resend, a later
 * workflow step — whose app has a `simSwap` setting, on a phone channel, when a SIM-swap service
 * is configured; otherwise it answers null (no check, no risk recorded). The whole check — token included — has
 * `timeoutMs`; a failure, a refusal by the service or the deadline is UNKNOWN, never a refusal
 * of the code: an operator's outage must not lock every user out.
 */
export class SimSwapGate {
  constructor(
    private readonly client: CamaraSimSwapClient | undefined,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly observe: SimSwapObserver = () => undefined,
  ) {}

  get configured(): boolean {
    return !!this.client;
  }

  /** Whether a send of `channel` to `dest` is checked at all (the caller may then skip its own look-ups). */
  applies(app: AppEntity, dest: Destination, channel: Channel): boolean {
    return !!app.settings.simSwap && !!this.client && dest.kind === "phone" && isPhoneChannel(channel);
  }

  async check(app: AppEntity, dest: Destination, channel: Channel): Promise<SimSwapVerdict | null> {
    const setting = app.settings.simSwap;
    if (!setting || !this.client || !this.applies(app, dest, channel)) return null;
    const started = performance.now();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    let result: SimSwapResult;
    try {
      result = (await this.client.check(dest.value, setting.maxAgeHours, deadline.signal)) ? SimSwapResult.SWAPPED : SimSwapResult.NOT_SWAPPED;
    } catch (err) {
      result = SimSwapResult.UNKNOWN;
      // The service's code and step only: never the number, a token or the service's own message
      // (`serviceCode`: the log redacts any `code`, which elsewhere is an OTP).
      const why = err instanceof SimSwapServiceError ? { step: err.step, serviceCode: err.code, status: err.status } : { serviceCode: "INTERNAL", error: (err as Error).name };
      this.log.warn({ appId: app.id, ...why }, "SIM-swap check gave no answer; the code is sent, marked UNKNOWN");
    } finally {
      clearTimeout(timer);
    }
    this.observe(result, setting.action, (performance.now() - started) / 1000);
    return {
      result, checkedAt: new Date(), maxAgeHours: setting.maxAgeHours, action: setting.action,
      refuse: result === SimSwapResult.SWAPPED && setting.action === "refuse",
    };
  }
}
