import type { Command } from "commander";
import { userInfo } from "node:os";
import { entrySize } from "../protection/safelist";
import type { SafelistService } from "../protection/safelist-service";
import { withDatabase } from "./with-database";
import { asCliError, uuidFlag } from "./usage-error";

const cliActor = () => ({ id: null, email: `cli:${userInfo().username}`, role: null });

/**
 * `otp-gateway app safelist add|remove|list --id APP [--pattern P] [--note TEXT]`: the numbers
 * and ranges (up to three trailing x: 1,000 numbers) the pumping guard never refuses. Audited.
 */
export function registerSafelistCommands(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app") ?? program.command("app");
  const safelist = app.command("safelist").description("numbers and ranges the pumping guard never refuses (per app; audited)");
  const run = (fn: (s: SafelistService) => Promise<void>) =>
    withDatabase(async ({ ds }) => {
      const { SafelistService } = await import("../protection/safelist-service.js");
      try {
        await fn(new SafelistService(ds));
      } catch (err) {
        // Bad input reads as a sentence at the command line (and exits 2).
        throw asCliError(err);
      }
    });
  safelist
    .command("add")
    .description("add a number (+14155550123) or range (+1415555012x, up to +14155550xxx)")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .requiredOption("--pattern <pattern>", "E.164 number, or a range with up to three trailing x")
    .option("--note <text>", "why it is safe (kept with the entry)")
    .action((o: { id: string; pattern: string; note?: string }) =>
      run(async (s) => {
        const e = await s.add(o.id, o.pattern, o.note, cliActor());
        process.stdout.write(`Added ${e.pattern} (${entrySize(e.pattern).toLocaleString("en-US")} number${entrySize(e.pattern) > 1 ? "s" : ""}) to the safe list\n`);
      }),
    );
  safelist
    .command("remove")
    .description("remove an entry")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .requiredOption("--pattern <pattern>", "the entry as listed")
    .action((o: { id: string; pattern: string }) =>
      run(async (s) => {
        const e = await s.remove(o.id, o.pattern, cliActor());
        process.stdout.write(`Removed ${e.pattern} from the safe list\n`);
      }),
    );
  safelist
    .command("list")
    .description("list the entries")
    .requiredOption("--id <appId>", "the app's id", uuidFlag("an app's id"))
    .option("--json", "one JSON array")
    .action((o: { id: string; json?: boolean }) =>
      run(async (s) => {
        const list = await s.list(o.id);
        if (o.json) return void process.stdout.write(`${JSON.stringify(list)}\n`);
        if (!list.length) return void process.stdout.write("The safe list is empty.\n");
        for (const e of list) process.stdout.write(`${e.pattern}  ${entrySize(e.pattern)}  ${e.addedBy ?? "-"}  ${e.addedAt ?? "-"}  ${e.note ?? ""}\n`);
      }),
    );
}
