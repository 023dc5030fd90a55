import type { Command } from "commander";
import { limitsSettingsSchema, type LimitsSettings } from "../protection/abuse-settings";
import type { AppReplay } from "../protection/replay";
import { withDatabase } from "./with-database";

/** A usage error: the message on stderr, exit status 2, nothing read. */
class UsageError extends Error {}

/** "7d", "36h", "90m" → milliseconds. */
export function parseSince(v: string): number {
  const m = /^(\d+)([dhm])$/.exec(v.trim());
  const ms = m ? Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as "d"] : NaN;
  if (!m || !ms || ms > 90 * 86_400_000) throw new UsageError(`--since must be a duration like 7d, 36h or 90m (at most 90d), not ${JSON.stringify(v)}`);
  return ms;
}

function parseLimits(v: string): LimitsSettings {
  let value: unknown;
  try {
    value = JSON.parse(v);
  } catch {
    throw new UsageError("--limits must be JSON, e.g. {\"pumping\":{\"prefix\":{\"floor\":5}}}");
  }
  const parsed = limitsSettingsSchema.safeParse(value);
  if (!parsed.success) throw new UsageError(`--limits: ${parsed.error.issues.map((i) => `limits.${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/**
 * `otp-gateway protection replay`: the recorded requests of the last days through the current
 * or a candidate setting of the pumping rules (protection/replay.ts), so that an operator tunes
 * with evidence: who among users that verified would have been refused, and what never-verified
 * traffic would have been paid for.
 */
export function registerProtectionCommands(program: Command): void {
  const protection = program.command("protection").description("the abuse protection: replay recorded traffic through its rules");
  protection
    .command("replay")
    .description("re-run the recorded requests of the last days through the pumping rules (current or candidate limits) and report what they would refuse")
    .option("--since <duration>", "how far back, e.g. 7d, 36h, 90m", "7d")
    .option("--app <appId>", "only this app")
    .option("--limits <json>", "candidate limit overrides as JSON (as app settings --limits), instead of each app's own")
    .option("--json", "one JSON array")
    .action(async (o: { since: string; app?: string; limits?: string; json?: boolean }) => {
      let since: Date, limits: LimitsSettings | undefined;
      try {
        since = new Date(Date.now() - parseSince(o.since));
        limits = o.limits === undefined ? undefined : parseLimits(o.limits);
        if (o.app !== undefined && !/^[0-9a-f-]{36}$/i.test(o.app)) throw new UsageError(`--app must be an app id (a UUID), not ${JSON.stringify(o.app)}`);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      await withDatabase(async ({ ds }) => {
        const { replay } = await import("../protection/replay.js");
        const results = await replay(ds, { since, appId: o.app, limits });
        process.stdout.write(o.json ? `${JSON.stringify(results)}\n` : text(results, o.since, limits !== undefined));
      });
    });
}

function text(results: AppReplay[], since: string, candidate: boolean): string {
  if (!results.length) return "No apps.\n";
  const head = `Replay of the last ${since} through ${candidate ? "the candidate limits" : "each app's current limits"} (pumping rules, enforced):\n`;
  return head + results.map((r) => {
    const rules = Object.entries(r.refusalsByRule).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
    const sample = r.refusedVerifiedUsers.sample.length ? ` (${r.refusedVerifiedUsers.sample.join(", ")})` : "";
    return [
      `${r.appName} (${r.appId})`,
      `  requests replayed: ${r.requests}`,
      `  users who verified but would have been refused: ${r.refusedVerifiedUsers.count}${sample}`,
      `  never-verified sends paid: ${r.unverifiedSendsPaid.replayed} (recorded: ${r.unverifiedSendsPaid.recorded})`,
      `  refusals by rule: ${rules}`,
    ].join("\n");
  }).join("\n") + "\n";
}
