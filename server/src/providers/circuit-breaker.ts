import { BrokenCircuitError, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, CountBreaker, circuitBreaker, handleWhen, type IBreaker } from "cockatiel";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "./provider";

export interface BreakerOptions {
  /** Opens after this many failures in a row... */
  consecutiveFailures: number;
  /** ...or when more than this share of the last `window` calls failed (once half the window is filled). */
  failureRatio: number;
  window: number;
  /** How long an open circuit refuses before letting one test call through (half-open). */
  halfOpenAfterMs: number;
}

export const defaultBreakerOptions: BreakerOptions = { consecutiveFailures: 5, failureRatio: 0.5, window: 20, halfOpenAfterMs: 30_000 };

export type CircuitStateName = "closed" | "open" | "half-open" | "isolated";

/** One provider's health, for /metrics and the dashboard. */
export interface ProviderHealth {
  provider: string;
  channels: string[];
  state: CircuitStateName;
  /** When an open circuit lets its next test call through. */
  retryAt: string | null;
  /** The error code of the failure that last counted against the provider. */
  lastErrorCode: string | null;
}

const STATE_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Isolated]: "isolated",
};

/** cockatiel ships a consecutive and a ratio breaker; an outage should trip either. */
class ConsecutiveOrRatioBreaker implements IBreaker {
  private readonly consecutive: ConsecutiveBreaker;
  private readonly ratio: CountBreaker;

  constructor(o: BreakerOptions) {
    this.consecutive = new ConsecutiveBreaker(o.consecutiveFailures);
    this.ratio = new CountBreaker({ threshold: o.failureRatio, size: o.window, minimumNumberOfCalls: Math.max(1, Math.ceil(o.window / 2)) });
  }

  get state(): unknown {
    return { consecutive: this.consecutive.state, ratio: this.ratio.state };
  }

  set state(v: unknown) {
    const s = v as { consecutive: number; ratio: unknown };
    this.consecutive.state = s.consecutive;
    this.ratio.state = s.ratio;
  }

  success(state: CircuitState): void {
    this.consecutive.success();
    this.ratio.success(state);
  }

  failure(state: CircuitState): boolean {
    const a = this.consecutive.failure();
    const b = this.ratio.failure(state);
    return a || b;
  }
}

/**
 * A provider behind a circuit breaker. Failures that are the vendor's (transient: network,
 * 5xx, 429; provider: auth, account) count; permanent ones are the destination's and don't.
 * While the circuit is open a send is refused at once as a `provider` failure with code
 * CIRCUIT_OPEN, so the dispatcher fails over without paying a timeout per message. The
 * breaker lives in this process: each worker process learns about an outage on its own.
 */
export class GuardedProvider implements Provider {
  readonly name: string;
  readonly channels: Provider["channels"];
  readonly credentialVariables: Provider["credentialVariables"];
  private policy: CircuitBreakerPolicy;
  private openedAt: number | null = null;
  private lastErrorCode: string | null = null;

  constructor(readonly inner: Provider, private readonly options: BreakerOptions = defaultBreakerOptions) {
    this.name = inner.name;
    this.channels = inner.channels;
    this.credentialVariables = inner.credentialVariables;
    this.policy = this.newPolicy();
  }

  private newPolicy(initialState?: unknown): CircuitBreakerPolicy {
    const vendorsFault = handleWhen((e) => e instanceof ProviderError && e.kind !== "permanent");
    const policy = circuitBreaker(vendorsFault, { halfOpenAfter: this.options.halfOpenAfterMs, breaker: new ConsecutiveOrRatioBreaker(this.options), initialState });
    policy.onBreak(() => (this.openedAt = Date.now()));
    policy.onReset(() => (this.openedAt = null));
    policy.onFailure(({ reason }) => {
      if ("error" in reason && reason.error instanceof ProviderError) this.lastErrorCode = reason.error.code;
    });
    return policy;
  }

  /**
   * Opens the circuit now, as if the vendor had just failed enough calls: used when it can't be
   * reached at start-up, so the first messages fail over at once instead of each paying a
   * timeout; after the half-open delay one message tests it again. (cockatiel restores an open
   * circuit from saved state; that is the only way into "open" it offers.)
   */
  openAfterFailure(code: string): void {
    this.lastErrorCode = code;
    this.openedAt = Date.now();
    this.policy = this.newPolicy({
      ownState: { value: CircuitState.Open, openedAt: this.openedAt, attemptNo: 1 },
      breakerState: { consecutive: 0, ratio: new CountBreaker({ threshold: this.options.failureRatio, size: this.options.window }).state },
    });
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    try {
      return await this.policy.execute(() => this.inner.send(message));
    } catch (e) {
      if (e instanceof BrokenCircuitError) {
        throw new ProviderError("provider", "CIRCUIT_OPEN", `${this.name} is failing (last error ${this.lastErrorCode ?? "unknown"}); its circuit is open`);
      }
      throw e;
    }
  }

  verify(): Promise<void> {
    return this.inner.verify?.() ?? Promise.resolve();
  }

  close(): void | Promise<void> {
    return this.inner.close?.();
  }

  get state(): CircuitStateName {
    return STATE_NAMES[this.policy.state];
  }

  health(): ProviderHealth {
    const state = this.state;
    return {
      provider: this.name,
      channels: [...this.channels],
      state,
      retryAt: state === "open" && this.openedAt !== null ? new Date(this.openedAt + this.options.halfOpenAfterMs).toISOString() : null,
      lastErrorCode: this.lastErrorCode,
    };
  }
}
