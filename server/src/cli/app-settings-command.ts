import type { Command } from "commander";
import type { AppSettings } from "../apps/app.entity";
import { loadConfig } from "../config/config";
import { withDatabase } from "./with-database";
import { UsageError, uuidFlag } from "./usage-error";

const list = (v: string) => v.split(",").map((c) => c.trim()).filter(Boolean);

function json(flag: string, v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    throw new UsageError(`${flag} must be JSON`);
  }
}

/** The abuse-related settings named by `--voice-countries`, `--limits` and `--test-destinations` (shared with `app create`). */
export function abuseSettingsFromFlags(o: { voiceCountries?: string; limits?: string; testDestinations?: string }): Partial<AppSettings> {
  const s: Record<string, unknown> = {};
  if (o.voiceCountries !== undefined) s.voiceCountries = list(o.voiceCountries);
  if (o.limits !== undefined) s.limits = json("--limits", o.limits);
  if (o.testDestinations !== undefined) s.testDestinations = json("--test-destinations", o.testDestinations);
  return s as Partial<AppSettings>;
}

/** `--sim-swap '{"maxAgeHours":24,"action":"flag"}'` (`null` removes it in `app settings`); checked with the other settings. */
export function simSwapFromFlag(o: { simSwap?: string }): Partial<AppSettings> {
  return o.simSwap === undefined ? {} : ({ simSwap: json("--sim-swap", o.simSwap) } as Partial<AppSettings>);
}

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a whole number`);
  return Number(v);
};

/**
 * `otp-gateway app settings --id ID [--ttl S] [--code-length L] [--max-attempts A] [--voice-countries ..] [--limits JSON] [--test-destinations JSON] [--sim-swap JSON]`:
 * changes an existing app's code and abuse settings. Each flag replaces that setting as a
 * whole; the value `null` (or an empty list for --voice-countries) removes it, back to the
 * default. In production, settings outside NIST's bounds exit 2 (as `app create` does).
 */
export function registerAppSettingsCommand(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app") ?? program.command("app");
  app
    .command("settings")
    .description("change an app's code and abuse settings (validity, code length, attempts, voice countries, limit overrides, test destinations, SIM-swap check) and print them")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .option("--ttl <seconds>", "code validity in seconds (1 to 86400; at most 600 in production)", int("--ttl"))
    .option("--code-length <digits>", "digits per code (4 to 10; at least 6 in production)", int("--code-length"))
    .option("--max-attempts <n>", "verify attempts per verification (1 to 20; at most 10 in production)", int("--max-attempts"))
    .option("--voice-countries <list>", "allowed countries for VOICE, e.g. US,CA (empty: same as --countries)")
    .option("--limits <json>", "abuse limit overrides as JSON (replaces the previous overrides; null: all defaults)")
    .option("--test-destinations <json>", "test destinations as JSON (replaces the list; null: none)")
    .option("--sim-swap <json>", 'SIM-swap check before phone codes, e.g. \'{"maxAgeHours":24,"action":"flag"}\' (action flag or refuse; maxAgeHours 1 to 2400; null: off)')
    .action(async (o: { id: string; ttl?: number; codeLength?: number; maxAttempts?: number; voiceCountries?: string; limits?: string; testDestinations?: string; simSwap?: string }) => {
      const patch: Record<string, unknown> = { ...abuseSettingsFromFlags(o), ...simSwapFromFlag(o) };
      if (Array.isArray(patch.voiceCountries) && !patch.voiceCountries.length) patch.voiceCountries = null;
      const codes = { ttlSeconds: o.ttl, codeLength: o.codeLength, maxAttempts: o.maxAttempts };
      await withDatabase(async ({ ds }) => {
        const { AppService, AppSettingsRefused } = await import("../apps/app-service.js");
        const settings = await new AppService(ds, loadConfig()).updateSettings(o.id, patch, codes).catch((err: Error) => {
          // Settings the checks refused are bad values (exit 2); an unknown app is not.
          throw err instanceof AppSettingsRefused ? new UsageError(err.message) : err;
        });
        const { voiceCountries, limits, testDestinations, ttlSeconds, codeLength, maxAttempts, simSwap } = settings;
        // Test codes are the app's own fixed secrets: shown by count, not echoed to the terminal.
        const shown = {
          ttlSeconds, codeLength, maxAttempts,
          voiceCountries: voiceCountries ?? null, limits: limits ?? {}, testDestinations: testDestinations?.map((t) => t.destination) ?? [],
          simSwap: simSwap ?? null,
        };
        process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      });
    });
}
