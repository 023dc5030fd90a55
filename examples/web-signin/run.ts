import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { startExample } from "./server";

/**
 * `npm run example`: the gateway on its embedded default (no Postgres, Redis or vendor: codes
 * appear in this terminal through the outbox) and the reference sign-in beside it. The example's
 * app and webhook secret are created once and kept in DATA_DIR/example-app.json (0600).
 */
const ROOT = [resolve(__dirname, "../.."), resolve(__dirname, "../../..")].find((d) => existsSync(join(d, "package.json")))!;
const CLI = join(ROOT, "dist/server/src/main.js");
const gatewayPort = Number(process.env.PORT ?? 4000);
const examplePort = Number(process.env.EXAMPLE_PORT ?? 4100);
const dataDir = resolve(process.env.DATA_DIR ?? "./data");
const saved = join(dataDir, "example-app.json");

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: process.env });
  if (r.status !== 0) throw new Error(`otp-gateway ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

async function main() {
  const gateway = spawn(process.execPath, [CLI, "serve"], { env: { ...process.env, PORT: String(gatewayPort) }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((ok, fail) => {
    gateway.stdout!.on("data", (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (chunk.toString().includes("otp-gateway listening")) ok();
    });
    gateway.once("exit", (code) => fail(new Error(`the gateway exited (${code}) before it listened`)));
  });

  let app: { id: string; apiKey: string; webhookSecret?: string };
  if (existsSync(saved)) app = JSON.parse(readFileSync(saved, "utf8"));
  else {
    app = JSON.parse(cli(["app", "create", "--name", "Web sign-in example", "--json"]));
    // Events need `otp-gateway app webhook add`; the example also works without them.
    const hooks = spawnSync(process.execPath, [CLI, "app", "webhook", "add", "--id", app.id, "--url", `http://127.0.0.1:${examplePort}/webhooks/otp`], { encoding: "utf8", env: process.env });
    app.webhookSecret = /whsec_[A-Za-z0-9+/=]+/.exec(hooks.stdout ?? "")?.[0];
    mkdirSync(dirname(saved), { recursive: true });
    writeFileSync(saved, JSON.stringify(app), { mode: 0o600 });
  }

  // EXAMPLE_ACCOUNTS (optional): a JSON file { "+14155550100": { "email": "…", "totpSubject": "…" } } standing in for
  // the app's own user table, so the SIM-swap step-up has somewhere else to reach a person.
  const accounts: Record<string, { email?: string; totpSubject?: string }> = process.env.EXAMPLE_ACCOUNTS ? JSON.parse(readFileSync(process.env.EXAMPLE_ACCOUNTS, "utf8")) : {};
  const example = await startExample({
    gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
    apiKey: app.apiKey,
    appId: app.id,
    webhookSecret: app.webhookSecret,
    port: examplePort,
    findAccount: (phone) => accounts[phone],
  });
  process.stdout.write(`\nReference sign-in: ${example.url}  (codes appear above, in the outbox lines; the dashboard is at http://127.0.0.1:${gatewayPort}/admin)\n\n`);

  const stop = async () => {
    await example.stop();
    gateway.kill("SIGTERM");
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  gateway.once("exit", (code) => process.exit(code ?? 0));
}

main().catch((err: unknown) => {
  process.stderr.write(`example: ${(err as Error).message}\n`);
  process.exit(1);
});
