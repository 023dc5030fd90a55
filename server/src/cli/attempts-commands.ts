import type { Command } from "commander";
import { withDatabase } from "./with-database";

/**
 * `otp-gateway attempts rollup [--rebuild]`: the hourly rollup behind verificationSummary and
 * the dashboard's spend report, brought up to date now (what the worker does every minute), or
 * forgotten and rolled again from the attempts (after restoring a backup, or to rule it out when
 * a figure looks wrong: summaries are correct without it, only slower).
 */
export function registerAttemptsCommands(program: Command): void {
  const attempts = program.command("attempts").description("the attempts' reporting data");
  attempts
    .command("rollup")
    .description("roll up the closed hours not yet rolled and the ones changed since (the worker does this every minute)")
    .option("--rebuild", "forget every rolled hour and roll them all again from the attempts")
    .action(async (o: { rebuild?: boolean }) => {
      const { rebuildRollup, rollAll } = await import("../attempts/rollup/roll-hours.js");
      await withDatabase(async ({ ds }) => {
        const started = Date.now();
        const hours = o.rebuild ? await rebuildRollup(ds) : await rollAll(ds);
        process.stdout.write(`${o.rebuild ? "Rebuilt" : "Rolled up"} ${hours} hour(s) in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
      });
    });
}
