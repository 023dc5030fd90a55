import { writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { Option, type Command } from "commander";
import type { StaffRole } from "../admin/auth/roles";
import { withDatabase } from "./with-database";
import { UsageError, asCliError } from "./usage-error";

/** Reads the password from stdin (up to the first newline), so it never appears in argv or shell history. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0];
}

/** Who did it, when it was done at the command line: the operator's login name. */
const cliActor = () => ({ id: null, email: `cli:${userInfo().username}`, role: null });

/** `otp-gateway admin create|enrolment-link|schema`: dashboard users from the command line (how the first ADMIN is made and enrols). */
export function registerAdminCommands(program: Command): void {
  const admin = program.command("admin").description("dashboard users and the admin API");
  admin
    .command("create")
    .description("create a dashboard user (the password is read from stdin)")
    .requiredOption("--email <email>", "the user's e-mail address (their login)")
    .addOption(new Option("--role <role>", "ADMIN manages apps, keys and staff; SUPPORT investigates").choices(["ADMIN", "SUPPORT"]).makeOptionMandatory())
    .option("--password-stdin", "read the password from standard input")
    .action(async (o: { email: string; role: StaffRole; passwordStdin?: boolean }) => {
      if (!o.passwordStdin) throw new UsageError("give the password on standard input with --password-stdin, e.g. `printf '%s' \"$PW\" | otp-gateway admin create … --password-stdin`");
      const password = await readPassword();
      const [{ passwordProblem }, { checkEmail, StaffStore }, { AuditLog }] = await Promise.all([
        import("../admin/auth/passwords.js"), import("../admin/auth/staff-store.js"), import("../admin/auth/audit-log.js"),
      ]);
      // Checked before touching the database: bad input changes nothing and fails fast.
      const problem = passwordProblem(password);
      if (problem) throw new UsageError(problem);
      try {
        checkEmail(o.email);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      await withDatabase(async ({ ds }) => {
        try {
          const staff = await new StaffStore(ds).create({ email: o.email, role: o.role, password });
          await new AuditLog(ds).record({
            actor: cliActor(), action: "staff.create", targetType: "staff", targetId: staff.id, after: staff,
          });
          process.stdout.write(`Created ${staff.role} ${staff.email} (${staff.id}). Sign in at /admin.\n`);
        } catch (err) {
          // Bad input reads as a sentence at the command line, not as a GraphQL error.
          throw asCliError(err);
        }
      });
    });
  admin
    .command("enrolment-link")
    .description("print a one-time link (24 hours) through which a dashboard user enrols an authenticator app; revokes their earlier unused links")
    .requiredOption("--email <email>", "the user's e-mail address")
    .action(async (o: { email: string }) => {
      const [{ checkEmail, StaffStore }, { AuditLog }, { issueEnrolmentLink }, { dashboardUrl }] = await Promise.all([
        import("../admin/auth/staff-store.js"), import("../admin/auth/audit-log.js"), import("../admin/auth/staff-enrolment.js"), import("../admin/admin-services.js"),
      ]);
      try {
        checkEmail(o.email);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      await withDatabase(async ({ ds, config }) => {
        const staff = new StaffStore(ds);
        const user = await staff.findByEmail(o.email);
        if (!user) throw new Error(`No dashboard user has the e-mail address ${o.email}`);
        try {
          const link = await issueEnrolmentLink({ ds, staff, audit: new AuditLog(ds), dashboardUrl: dashboardUrl(config) }, user.id, cliActor(), null);
          process.stdout.write(
            `Enrolment link for ${link.staff.email} (${link.staff.role}), valid until ${link.expiresAt.toISOString()}, once:\n${link.url}\n` +
              `They open it, sign in with their password, scan the secret and enter its first code.\n`,
          );
        } catch (err) {
          throw asCliError(err);
        }
      });
    });
  admin
    .command("schema")
    .description("print the admin API's GraphQL schema (sorted), or write it to a file")
    .option("--out <file>", "write to this file")
    .action(async (o: { out?: string }) => {
      // Loaded here: the admin schema pulls in every resolver, which no other command needs.
      const [{ buildAdminSchema }, { printSorted }] = await Promise.all([import("../admin/schema.js"), import("../graphql/schema.js")]);
      const text = printSorted(await buildAdminSchema());
      if (o.out) writeFileSync(o.out, text);
      else process.stdout.write(text);
    });
}
