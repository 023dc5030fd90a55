/**
 * The peer a TypeScript team would otherwise pick: better-auth with its phone-number plugin,
 * on the same Postgres (its own database, tables made by its own programmatic migrations),
 * served by Node's http through better-auth's node handler.
 *
 * Configured as it would run in production: its rate limiter on (in memory, per client IP
 * and path — the plugin's own 10 per minute), client IPs from X-Forwarded-For, which the
 * load generator spreads as it does for the gateway. sendOTP hands the code to an in-process
 * list (its "SMS vendor"): better-auth awaits sendOTP inside the request, so a real vendor
 * call would only make it slower. Verify signs the user up on first verification and opens
 * a session, the plugin's phone sign-in flow.
 */
import http from "node:http";
import { Pool } from "pg";
import { serveParent } from "./ipc";

async function main() {
  // better-auth is ESM only; this file is CommonJS, so it comes in through import().
  const { betterAuth } = await import("better-auth");
  const { phoneNumber } = await import("better-auth/plugins");
  const { toNodeHandler } = await import("better-auth/node");
  const { getMigrations } = await import("better-auth/db/migration");

  const codes: Array<[string, string]> = [];
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const auth = betterAuth({
    database: pool,
    baseURL: url,
    secret: "bench-better-auth-secret-0123456789abcdef",
    rateLimit: { enabled: true, storage: "memory" },
    telemetry: { enabled: false },
    plugins: [
      phoneNumber({
        sendOTP: ({ phoneNumber: to, code }) => {
          codes.push([to, code]);
        },
        signUpOnVerification: { getTempEmail: (p: string) => `${p.slice(1)}@bench.invalid`, getTempName: (p: string) => p },
      }),
    ],
  });
  const { runMigrations } = await getMigrations(auth.options);
  await runMigrations();
  const handler = toNodeHandler(auth);
  server.on("request", (req, res) => {
    if (req.url?.startsWith("/__bench/codes")) {
      const since = Number(new URL(req.url, url).searchParams.get("since") ?? 0);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ next: codes.length, items: codes.slice(since) }));
    }
    void handler(req, res);
  });
  // On exit the process ends: the pool is not closed first, or requests still in flight would log "pool ended" errors.
  serveParent({ url, pid: process.pid }, {}, async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
}

main().catch((err) => {
  process.stderr.write(`better-auth peer failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
