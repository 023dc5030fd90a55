import type { Channel } from "../verification/enums";
import { GuardedProvider, type ProviderHealth } from "./circuit-breaker";
import type { Provider } from "./provider";

/**
 * Maps each channel to its providers in failover order. Resolvers and the worker ask the
 * registry; they never name a vendor.
 */
export class ProviderRegistry {
  private readonly byChannel = new Map<Channel, Provider[]>();
  /**
   * Where the breakers that send live, when not in this event loop: a `serve` process's API
   * half reports its worker thread's (its own never see a send); undefined from it means unknown.
   */
  healthSource?: () => ProviderHealth[] | undefined;

  constructor(private readonly order: Partial<Record<Channel, Provider[]>>) {
    for (const [channel, providers] of Object.entries(order)) this.byChannel.set(channel as Channel, providers ?? []);
  }

  forChannel(channel: Channel): Provider[] {
    return this.byChannel.get(channel) ?? [];
  }

  /** The provider at a failover position, or undefined past the end. */
  at(channel: Channel, index: number): Provider | undefined {
    return this.forChannel(channel)[index];
  }

  get(name: string): Provider | undefined {
    for (const list of this.byChannel.values()) for (const p of list) if (p.name === name) return p;
    return undefined;
  }

  all(): Provider[] {
    return [...new Set([...this.byChannel.values()].flat())];
  }

  supports(channel: Channel): boolean {
    return this.forChannel(channel).length > 0;
  }

  /** Each provider's circuit state, for /metrics and the dashboard (this process's breakers, or healthSource's). */
  providerHealth(): ProviderHealth[] {
    // Until the thread reports (or while it restarts) nothing is known: no state beats a wrong one.
    if (this.healthSource) return this.healthSource() ?? [];
    return this.all().map((p) =>
      p instanceof GuardedProvider
        ? p.health()
        : { provider: p.name, channels: [...p.channels], state: "closed" as const, retryAt: null, lastErrorCode: null },
    );
  }
}
