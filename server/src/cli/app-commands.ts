import type { Command } from "commander";
import type { AppOptions } from "../apps/app-service";
import { loadConfig } from "../config/config";
import { abuseSettingsFromFlags, simSwapFromFlag } from "./app-settings-command";
import { withDatabase } from "./with-database";
import { InvalidArgumentError } from "commander";
import { UsageError, anyWholeNumber, uuidFlag } from "./usage-error";
import { Channel } from "../verification/enums";

// The ranges are validateAppOptions's to judge (one message listing every problem); the parser only wants digits.
const int = anyWholeNumber;

// The channels app-service.ts's FALLBACK_CHANNELS lists, without loading app-service (typeorm) to parse a flag.
const FALLBACK_CHANNELS: readonly string[] = Object.values(Channel);

const fallbackChannel = (v: string) => {
  const channel = v.trim().toUpperCase();
  if (!FALLBACK_CHANNELS.includes(channel)) throw new InvalidArgumentError(`It must be one of ${FALLBACK_CHANNELS.join(", ")}.`);
  return channel;
};

/** `otp-gateway app create|revoke-key|add-key`. */
export function registerAppCommands(program: Command): void {
  const app = program.command("app").description("manage client apps and their API keys");
  app
    .command("create")
    .description("create a client app and print its id and API key")
    .requiredOption("--name <name>", "the app's name, shown in messages")
    .option("--ttl <seconds>", "code validity in seconds (1 to 86400)", int)
    .option("--code-length <digits>", "digits per code (4 to 10)", int)
    .option("--max-attempts <n>", "verify attempts per verification", int)
    .option("--resend-cooldown <seconds>", "seconds before the first resend (doubles with each resend)", int)
    .option("--max-sends <n>", "sends per destination per 10 minutes", int)
    .option("--hourly-budget <n>", "the app's cap on sends per hour", int)
    .option("--countries <list>", "allowed destination countries for SMS/VOICE/WHATSAPP, e.g. US,GB")
    .option("--voice-countries <list>", "allowed countries for VOICE when they differ from --countries")
    .option("--limits <json>", 'abuse limit overrides, e.g. \'{"sendsPerIp":{"max":20,"windowSeconds":3600}}\' (docs/security.md)')
    .option("--test-destinations <json>", 'fixed-code test destinations, e.g. \'[{"destination":"+14155550100","code":"123456"}]\'')
    .option("--sim-swap <json>", 'SIM-swap check before phone codes, e.g. \'{"maxAgeHours":24,"action":"flag"}\' (action flag or refuse; maxAgeHours 1 to 2400)')
    .option("--locale <tag>", "default message locale", "en")
    .option("--sms-app-hash <hash>", "Android SMS Retriever app hash (11 characters), added as a line to each SMS")
    .option("--webotp-domain <host>", "domain for the WebOTP line `@domain #code` ending each SMS, e.g. example.com")
    .option("--fallback-channel <channel>", "channel that takes over when a delivery fails or is undelivered (SMS, VOICE, EMAIL, WHATSAPP, TELEGRAM or RCS; e.g. VOICE for SMS apps, SMS for WhatsApp, Telegram and RCS apps)", fallbackChannel)
    .option("--json", "print {\"id\",\"apiKey\"} as JSON")
    .action(async (o) => {
      const settings = abuseSettingsFromFlags(o);
      const options: AppOptions = {
        name: o.name, ttlSeconds: o.ttl, codeLength: o.codeLength, maxAttempts: o.maxAttempts,
        resendCooldownSeconds: o.resendCooldown, maxSends: o.maxSends, hourlyBudget: o.hourlyBudget,
        countries: o.countries ? String(o.countries).split(",").map((c: string) => c.trim()).filter(Boolean) : null,
        defaultLocale: o.locale,
        settings: {
          ...(o.smsAppHash !== undefined ? { smsAppHash: String(o.smsAppHash) } : {}),
          ...(o.webotpDomain !== undefined ? { webOtpDomain: String(o.webotpDomain).toLowerCase() } : {}),
          ...(o.fallbackChannel !== undefined ? { fallbackChannel: o.fallbackChannel } : {}),
          ...settings,
          ...simSwapFromFlag(o),
        },
      };
      const { AppService, AppSettingsRefused, validateAppOptions } = await import("../apps/app-service.js");
      // Before touching the database: bad flags change nothing (exit 2).
      try {
        validateAppOptions(options, loadConfig());
      } catch (err) {
        throw err instanceof AppSettingsRefused ? new UsageError(err.message) : err;
      }
      await withDatabase(async ({ ds }) => {
        const { app: created, apiKey } = await new AppService(ds, loadConfig()).create(options);
        if (o.json) process.stdout.write(`${JSON.stringify({ id: created.id, apiKey })}\n`);
        else process.stdout.write(`App id:  ${created.id}\nAPI key: ${apiKey}\n(the key is shown once; store it now)\n`);
      });
    });
  app
    .command("revoke-key")
    .description("revoke every API key of an app except the newest (after add-key: a rotation without downtime)")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .option("--key <keyId>", "revoke only this key (its otpk_<id> part, as the dashboard shows it)")
    .option("--all", "revoke every key, the newest too (a leak: the app stops until a key is added)")
    .action(async (o: { id: string; key?: string; all?: boolean }) => {
      if (o.key !== undefined && o.all) throw new UsageError("give --key or --all, not both");
      const { AppService, parseKeyId } = await import("../apps/app-service.js");
      const keyId = o.key === undefined ? undefined : parseKeyId(o.key);
      if (keyId === null) throw new UsageError("--key must be a key's public id, otpk_ followed by 16 hex digits");
      await withDatabase(async ({ ds }) => {
        const service = new AppService(ds);
        if (!(await service.find(o.id).catch(() => null))) throw new Error(`no app with id ${o.id}`);
        const revoked = await service.revokeKeys(o.id, keyId ? { keyId } : o.all ? { all: true } : { exceptNewest: true });
        if (keyId && !revoked.length) throw new Error(`otpk_${keyId} is not a live key of app ${o.id}`);
        process.stdout.write(`Revoked ${revoked.length} key(s) of app ${o.id}${revoked.map((id) => `\n  otpk_${id}`).join("")}\n`);
      });
    });
  app
    .command("add-key")
    .description("issue an additional API key for an app; older keys keep working (rotation: add-key, deploy, then revoke-key)")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .option("--json", "print {\"id\",\"keyId\",\"apiKey\"} as JSON")
    .action(async (o) => {
      const { AppService } = await import("../apps/app-service.js");
      await withDatabase(async ({ ds }) => {
        const service = new AppService(ds);
        if (!(await service.find(o.id).catch(() => null))) throw new Error(`no app with id ${o.id}`);
        const { id: keyId, key: apiKey } = await service.addKey(o.id);
        process.stdout.write(o.json ? `${JSON.stringify({ id: o.id, keyId: `otpk_${keyId}`, apiKey })}\n` : `API key: ${apiKey}\n(the key is shown once; store it now)\n`);
      });
    });
}
