import type { Channel } from "../verification/enums";
import { ProviderError, type OutboundMessage, type Provider, type SendResult } from "./provider";

/**
 * One vendor reached through several of its APIs (Twilio's SMS/voice and its WhatsApp sender;
 * Vonage's SMS API and its Messages API) as one provider: one name on deliveries and metrics,
 * one circuit breaker, one entry in a channel's order. Each message goes to the part that
 * carries its channel.
 */
export class CombinedProvider implements Provider {
  readonly channels: readonly Channel[];

  constructor(readonly name: string, private readonly parts: Provider[]) {
    this.channels = [...new Set(parts.flatMap((p) => [...p.channels]))];
  }

  /** A single part needs no wrapper. */
  static of(name: string, parts: Array<Provider | undefined>): Provider | undefined {
    const present = parts.filter((p): p is Provider => !!p);
    return present.length <= 1 ? present[0] : new CombinedProvider(name, present);
  }

  send(message: OutboundMessage): Promise<SendResult> {
    const part = this.parts.find((p) => p.channels.includes(message.channel));
    if (!part) return Promise.reject(new ProviderError("provider", "NO_PROVIDER", `${this.name} can't send ${message.channel}`));
    return part.send(message);
  }

  /** Each part's check; a refusal names that part's variables in its message (the parts' credentials differ). */
  async verify(): Promise<void> {
    for (const p of this.parts) {
      try {
        await p.verify?.();
      } catch (err) {
        if (!(err instanceof ProviderError) || !p.credentialVariables?.length) throw err;
        throw new ProviderError(err.kind, err.code, `${p.credentialVariables.join(" / ")}: ${err.message}`);
      }
    }
  }

  async close(): Promise<void> {
    for (const p of this.parts) await p.close?.();
  }
}
