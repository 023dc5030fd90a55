import type { Command } from "commander";
import { verifyAuditChain } from "../admin/auth/audit-chain";
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
    .option("--json", "one JSON object")
    .action(async (o: { json?: boolean }) => {
      await withDatabase(async ({ ds }) => {
        const report = await verifyAuditChain(ds);
        if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
        else if (report.intact) {
          process.stdout.write(`Audit log intact: ${report.rows} rows${report.head ? `; head row ${report.head.id}, hash ${report.head.hash}` : ""}\n`);
        } else {
          process.stderr.write(`otp-gateway: audit log broken: ${report.message} (${report.rows} rows intact before it)\n`);
        }
        if (!report.intact) process.exitCode = 1;
      });
    });
}
