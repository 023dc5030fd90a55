import { writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { loadConfig, type Role } from "../config/config";
import { registerAdminCommands } from "./admin-commands";
import { registerAppCommands } from "./app-commands";
import { registerWebhookCommands } from "./webhook-commands";
import { registerAppSettingsCommand } from "./app-settings-command";
import { registerSafelistCommands } from "./safelist-commands";
import { registerBlockCommands } from "./block-commands";
import { registerTotpCommands } from "./totp-commands";
import { registerKeysCommands } from "./keys-commands";
import { registerAuditCommands } from "./audit-commands";
import { registerProtectionCommands } from "./protection-commands";
import { registerAttemptsCommands } from "./attempts-commands";

/**
 * The `otp-gateway` command tree, built without running anything: main.ts parses argv with it,
 * and the docs test walks it to check that every command is in docs/cli.md. Each action loads
 * what it runs (typeorm, the GraphQL schemas, the server) when it runs: `--help` and a bad
 * flag answer without loading the gateway, and a command loads only its own part of it.
 */
export function buildProgram(): Command {
  // exitOverride: commander's own refusals (unknown option, missing value, bad choice) are thrown as
  // CommanderErrors, so main.ts exits 2 for them like for any bad value; subcommands inherit it.
  const program = new Command("otp-gateway").description("Self-hosted OTP gateway").showHelpAfterError().exitOverride();

  program
    .command("serve")
    .description("run the API, the delivery worker and the dashboard (or one role)")
    .addOption(new Option("--role <role>", "which role to run").choices(["all", "api", "worker"]).default("all"))
    // Loaded when it runs: the whole server is most of the CLI's start-up (0.6 of 0.7 s of CPU), which
    // every other command, and every refused flag, would otherwise pay.
    .action(async (o: { role: Role }) => (await import("../serve/serve-command.js")).serve(loadConfig(), o.role));

  program
    .command("migrate")
    .description("apply pending database migrations")
    .action(async () => {
      const config = loadConfig();
      const { createLogger } = await import("../observability/logger.js");
      const { openDatabase } = await import("../db/open-database.js");
      const log = createLogger(config.logLevel, undefined);
      // Two connections: migrate() holds the advisory lock on one while the migrations run on another.
      const db = await openDatabase(config, log, { migrate: true, poolSize: 2 });
      await db.close();
      process.stdout.write("Database is up to date\n");
    });

  program
    .command("schema")
    .description("print the client GraphQL schema (sorted), or write it to a file")
    .option("--out <file>", "write to this file")
    .action(async (o: { out?: string }) => {
      const { buildClientSchema, printSorted } = await import("../graphql/schema.js");
      const text = printSorted(await buildClientSchema());
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
    });

  registerKeysCommands(program);
  registerAuditCommands(program);
  registerAppCommands(program);
  registerWebhookCommands(program.commands.find((c) => c.name() === "app")!);
  registerAppSettingsCommand(program);
  registerSafelistCommands(program);
  registerBlockCommands(program);
  registerProtectionCommands(program);
  registerAttemptsCommands(program);
  registerTotpCommands(program);
  registerAdminCommands(program);
  return program;
}
