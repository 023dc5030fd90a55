import type { Command } from "commander";
import { parseAnchor, verifyAuditChain } from "../admin/auth/audit-chain";
import { ConfigError } from "../config/config";
import { withDatabase } from "./with-database";

/**
 * `otp-gateway audit verify`: checks the staff audit log's hash chain. Exit 0 with the row
 * count and the head's hash when intact; exit 1 naming the first row where it breaks.
 */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("the staff audit log");
  audit
    .command("verify")
    .description("check the audit log's hash chain: exit 0 with the row count when intact, exit 1 naming the first row changed, removed or reordered")
    .option("--anchor <id:hash>", "a head an earlier run printed (row id and hash): fail unless that row still carries that hash")
    .option("--json", "one JSON object")
    .action(async (o: { anchor?: string; json?: boolean }) => {
      const anchor = o.anchor === undefined ? undefined : parseAnchor(o.anchor);
      // A bad flag exits 2, like a bad variable, before touching the database.
      if (o.anchor !== undefined && !anchor) throw new ConfigError(["--anchor must be ROW_ID:HASH as `audit verify` printed it (64 hex digits)"]);
      await withDatabase(async ({ ds }) => {
        const report = await verifyAuditChain(ds, anchor);
        if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else if (report.intact) {
          // The head as --anchor takes it: record it elsewhere, pass it to a later run.
          process.stdout.write(`Audit log intact: ${report.rows} rows${report.head ? `; head ${report.head.id}:${report.head.hash}` : ""}\n`);
        } else {
          process.stderr.write(`otp-gateway: audit log broken: ${report.message} (${report.rows} rows intact before it)\n`);
        }
        if (!report.intact) process.exitCode = 1;
      });
    });
}
