import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { ConfigError, type Config, type ProviderName } from "../config/config";
import { Channel } from "../verification/enums";
import { HttpProvider } from "./http/http-provider";
import { CombinedProvider } from "./combined-provider";
import { GuardedProvider, defaultBreakerOptions, type BreakerOptions } from "./circuit-breaker";
import { MessageBirdProvider } from "./messagebird/messagebird-provider";
import { OutboxProvider } from "./outbox/outbox-provider";
import type { OutboxPhone } from "./outbox/outbox-phone";
import type { Provider } from "./provider";
import { ProviderRegistry } from "./registry";
import { SnsProvider } from "./sns/sns-provider";
import { SmtpProvider } from "./smtp/smtp-provider";
import { TelegramProvider } from "./telegram/telegram-provider";
import { TwilioProvider } from "./twilio/twilio-provider";
import { TwilioWhatsAppProvider } from "./twilio/twilio-whatsapp-provider";
import { TwilioRcsProvider } from "./twilio/twilio-rcs-provider";
import { VonageProvider } from "./vonage/vonage-provider";
import { VonageWhatsAppProvider } from "./vonage/vonage-whatsapp-provider";
import { VonageRcsProvider } from "./vonage/vonage-rcs-provider";

/** Every channel the enum has; each one's order variable is `<CHANNEL>_PROVIDERS`. */
const CHANNELS = Object.values(Channel);
const ORDER_VARIABLE = (channel: Channel) => `${channel}_PROVIDERS`;

/** The vendors whose credentials are configured, in the default failover order (Twilio before Vonage for SMS). */
function configuredVendors(config: Config): Provider[] {
  const timeout = config.delivery.providerTimeoutMs;
  const vendors: Provider[] = [];
  const twilioUrl = `${config.publicUrl}/webhooks/twilio/status`;
  const vonageUrl = `${config.publicUrl}/webhooks/vonage/status`;
  const { twilio: twilioWhatsApp, vonage: vonageWhatsApp } = config.whatsapp;
  const { twilio: twilioRcs, vonage: vonageRcs } = config.rcs;
  const twilio = CombinedProvider.of("twilio", [
    config.twilio && new TwilioProvider(config.twilio, twilioUrl, timeout),
    twilioWhatsApp && new TwilioWhatsAppProvider(twilioWhatsApp, twilioUrl, timeout),
    twilioRcs && new TwilioRcsProvider(twilioRcs, twilioUrl, timeout),
  ]);
  const vonage = CombinedProvider.of("vonage", [
    config.vonage && new VonageProvider(config.vonage, vonageUrl, timeout),
    vonageWhatsApp && new VonageWhatsAppProvider(vonageWhatsApp, vonageUrl, timeout),
    vonageRcs && new VonageRcsProvider(vonageRcs, vonageUrl, timeout),
  ]);
  if (twilio) vendors.push(twilio);
  if (vonage) vendors.push(vonage);
  if (config.smtp) vendors.push(new SmtpProvider(config.smtp, timeout));
  if (config.httpProvider) vendors.push(new HttpProvider(config.httpProvider, timeout));
  if (config.sns) vendors.push(new SnsProvider(config.sns, timeout));
  if (config.messagebird) vendors.push(new MessageBirdProvider(config.messagebird, config.messagebird.signingKey && `${config.publicUrl}/webhooks/messagebird/status`, timeout));
  if (config.telegram) vendors.push(new TelegramProvider(config.telegram, config.publicUrl, timeout));
  return vendors;
}

/**
 * Each channel's providers in failover order, every one behind its own circuit breaker.
 * SMS_PROVIDERS / VOICE_PROVIDERS / EMAIL_PROVIDERS set the order explicitly (naming a vendor
 * that isn't configured, or can't carry the channel, fails start-up); otherwise a channel gets
 * every configured vendor that carries it. A channel with none falls back to the outbox, except
 * in production unless OUTBOX_IN_PRODUCTION=true. Tests inject providers instead of vendors.
 */
export function buildRegistry(
  config: Config, ds: DataSource, log: Logger, injected?: Provider[], breaker: BreakerOptions = defaultBreakerOptions, outboxPhone?: OutboxPhone,
): ProviderRegistry {
  const vendors = injected ? [...injected] : configuredVendors(config);
  const outboxAllowed = !config.production || config.outboxInProduction;
  const outbox = vendors.find((p) => p.name === "outbox") ?? new OutboxProvider(ds, log.child({ component: "outbox" }), !config.production, outboxPhone);
  const byName = new Map<string, Provider>([...vendors.map((p) => [p.name, p] as const), ["outbox", outbox]]);

  const problems: string[] = [];
  const order: Partial<Record<Channel, Provider[]>> = {};
  for (const channel of CHANNELS) {
    const named = config.delivery.providerOrder[channel as keyof typeof config.delivery.providerOrder];
    if (named) {
      order[channel] = named.flatMap((name) => {
        const p = resolveNamed(name, byName, channel, outboxAllowed);
        if (typeof p === "string") problems.push(`${ORDER_VARIABLE(channel)} ${p}`);
        return typeof p === "string" ? [] : [p];
      });
      continue;
    }
    const list = vendors.filter((p) => p.channels.includes(channel) && p.name !== "outbox");
    order[channel] = list.length ? list : outboxAllowed ? [outbox] : [];
  }
  if (problems.length) throw new ConfigError(problems);

  // One breaker per provider, shared by every channel it serves (an outage is the vendor's, not a channel's).
  const guarded = new Map<Provider, GuardedProvider>();
  const guard = (p: Provider) => guarded.get(p) ?? guarded.set(p, new GuardedProvider(p, breaker)).get(p)!;
  const registry = new ProviderRegistry(Object.fromEntries(Object.entries(order).map(([c, list]) => [c, list!.map(guard)])));
  if (!registry.all().length) throw new ConfigError(["No provider is configured for any channel (set TWILIO_*, VONAGE_*, MESSAGEBIRD_*, AWS_SNS_*, HTTP_PROVIDER_*, TELEGRAM_GATEWAY_TOKEN or SMTP_URL, or OUTBOX_IN_PRODUCTION=true)"]);
  return registry;
}

function resolveNamed(name: ProviderName, byName: Map<string, Provider>, channel: Channel, outboxAllowed: boolean): Provider | string {
  if (name === "outbox" && !outboxAllowed) return "names outbox, which is off in production unless OUTBOX_IN_PRODUCTION=true";
  const p = byName.get(name);
  if (!p) return `names ${name}, which is not configured`;
  if (!p.channels.includes(channel)) return `names ${name}, which can't send ${channel}`;
  return p;
}
