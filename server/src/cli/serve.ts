import type { Config, Role } from "../config/config";
import { createApp } from "../app";
import { limitHeapGrowth } from "../heap-growth";

/**
 * `otp-gateway serve [--role all|api|worker]`. On the embedded default with no app yet, creates
 * a demo app and prints its key once, so that a first run needs nothing else.
 */
export async function serve(config: Config, role: Role): Promise<void> {
  limitHeapGrowth();
  // Handlers first: a SIGTERM that arrives while the app is still starting (a deploy rolling
  // back, a test stopping it early) waits for start-up and then stops cleanly — the embedded
  // Postgres included — instead of killing the process with its child still running.
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let pendingSignal: string | undefined;
  let signals = 0;
  const shutdown = (signal: string) => {
    if (!app) {
      pendingSignal = signal;
      return;
    }
    if (++signals > 1) process.exit(1); // a second signal: stop waiting
    app.log.info({ signal }, "signal received");
    app.stop().then(
      () => process.exit(0),
      (err) => {
        app!.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  app = await createApp(config, { role });
  if (pendingSignal) return shutdown(pendingSignal);
  if (app.db.embedded && (await app.services.apps.count()) === 0) {
    const { app: demo, apiKey } = await app.services.apps.create({ name: "Demo app" });
    process.stdout.write(
      `\n  Demo app created (embedded database, first run).\n  App id:  ${demo.id}\n  API key: ${apiKey}\n` +
        `  This key is shown once. Try:\n` +
        `  curl -s ${app.url}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${apiKey}' \\\n` +
        `    -d '{"query":"mutation { requestOtp(input: {destination: \\"+14155552671\\", channel: SMS}) { id status to } }"}'\n\n`,
    );
  }
}
