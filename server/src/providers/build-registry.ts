import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Config } from "../config/config";
import { Channel } from "../verification/enums";
import { OutboxProvider } from "./outbox/outbox-provider";
import type { Provider } from "./provider";
import { ProviderRegistry } from "./registry";
import { TwilioProvider } from "./twilio/twilio-provider";

/**
 * The configured vendors in failover order per channel. A channel with no vendor falls back
 * to the outbox, except in production unless OUTBOX_IN_PRODUCTION=true, where it is off.
 */
export function buildRegistry(config: Config, ds: DataSource, log: Logger, injected?: Provider[]): ProviderRegistry {
  const vendors: Provider[] = injected ? [...injected] : [];
  if (!injected && config.twilio) vendors.push(new TwilioProvider(config.twilio, `${config.publicUrl}/webhooks/twilio/status`));

  const outboxAllowed = !config.production || config.outboxInProduction;
  const outbox = new OutboxProvider(ds, log.child({ component: "outbox" }));
  const order: Partial<Record<Channel, Provider[]>> = {};
  for (const channel of [Channel.SMS, Channel.VOICE, Channel.EMAIL]) {
    const list = vendors.filter((p) => p.channels.includes(channel));
    order[channel] = list.length ? list : outboxAllowed ? [outbox] : [];
  }
  const registry = new ProviderRegistry(order);
  if (!registry.all().length) throw new Error("No provider is configured for any channel (set TWILIO_*, VONAGE_* or SMTP_URL, or OUTBOX_IN_PRODUCTION=true)");
  return registry;
}
