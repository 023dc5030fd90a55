import { userInfo } from "node:os";
import type { Command } from "commander";
import type { TotpFactorView } from "../totp/totp.types";
import { checkSubject } from "../totp/totp-input";
import { withDatabase } from "./with-database";
import { asCliError, uuidFlag } from "./usage-error";

/**
 * `otp-gateway totp list|revoke`: an end user's authenticator factors, and revoking one (a
 * lost phone) — audited like the dashboard's revoke, with the operator's login as the actor.
 */
export function registerTotpCommands(program: Command): void {
  const totp = program.command("totp").description("end users' authenticator-app (TOTP) factors: list a subject's, revoke one");
  totp
    .command("list")
    .description("list a subject's factors in one app, oldest first (never a secret)")
    .requiredOption("--app <appId>", "the app's id", uuidFlag("an app's id"))
    .requiredOption("--subject <subject>", "the app's id for its user")
    .option("--json", "one JSON array")
    .action(async (o: { app: string; subject: string; json?: boolean }) => {
      const subject = sentence(() => checkSubject(o.subject));
      await withDatabase(async ({ ds }) => {
        const { TotpStore, toFactorView } = await import("../totp/totp-store.js");
        const rows = (await new TotpStore(ds).list(o.app, subject)).map(toFactorView);
        process.stdout.write(o.json ? `${JSON.stringify(rows)}\n` : table(rows));
      });
    });
  totp
    .command("revoke")
    .description("revoke a factor: it stops verifying at once and its secret is erased (audited)")
    .requiredOption("--id <factorId>", "the factor's id (from `totp list`)", uuidFlag("a factor's id"))
    .option("--reason <text>", "why, kept in the audit log", "revoked with otp-gateway totp revoke")
    .action(async (o: { id: string; reason: string }) => {
      await withDatabase(async ({ ds }) => {
        const [{ AuditLog }, { revokeFactorAudited }, { TotpStore }] = await Promise.all([
          import("../admin/auth/audit-log.js"), import("../admin/totp-revocation.js"), import("../totp/totp-store.js"),
        ]);
        const actor = { id: null, email: `cli:${userInfo().username}`, role: null };
        const row = await sentenceAsync(() => revokeFactorAudited({ store: new TotpStore(ds), audit: new AuditLog(ds) }, actor, o.id, o.reason, null));
        process.stdout.write(`Revoked factor ${row.id} of subject ${row.subject}\n`);
      });
    });
}

/** Refusals read as a sentence at the command line, not as a GraphQL error. */
function sentence<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asCliError(err);
  }
}

async function sentenceAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asCliError(err);
  }
}

function table(rows: TotpFactorView[]): string {
  if (!rows.length) return "No factors.\n";
  const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d+Z$/, "Z") : "-");
  const lines = rows.map((r) => [r.id, r.status, iso(r.createdAt), iso(r.verifiedAt), iso(r.lastUsedAt), r.label ?? "-"].join("  "));
  return `${["id", "status", "created", "verified", "last used", "label"].join("  ")}\n${lines.join("\n")}\n`;
}
