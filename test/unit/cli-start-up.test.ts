import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "../helpers/cli";

/** Packages only a command's action needs: the database, the GraphQL servers, Redis, the vendor SDKs, argon2. */
const HEAVY = ["typeorm", "pg", "@apollo/server", "type-graphql", "graphql", "redis", "@redis/client", "fastify", "twilio", "@vonage/server-sdk", "@aws-sdk/client-sns", "argon2", "nodemailer"];

/** Runs the built CLI with `args` and reports its exit code, stderr and which HEAVY packages it loaded. */
function run(args: string[]): { status: number | null; stderr: string; loaded: string[] } {
  // The CLI as `node dist/server/src/main.js …` runs it, with a hook that lists the loaded packages when it exits.
  const probe = `
    const heavy = ${JSON.stringify(HEAVY)};
    process.on("exit", () => {
      const loaded = new Set();
      for (const f of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f);
        if (m && heavy.includes(m[1])) loaded.add(m[1]);
      }
      process.stderr.write("\\nLOADED " + JSON.stringify([...loaded].sort()) + "\\n");
    });
    process.argv = [process.execPath, ${JSON.stringify(CLI)}, ...process.argv.slice(1)];
    require(${JSON.stringify(CLI)});`;
  const r = spawnSync(process.execPath, ["-e", probe, "--", ...args], { encoding: "utf8", env: { PATH: process.env.PATH }, timeout: 60_000 });
  const m = /\nLOADED (.*)\n$/.exec(r.stderr);
  expect(m, r.stderr).not.toBeNull();
  return { status: r.status, stderr: r.stderr.slice(0, m!.index), loaded: JSON.parse(m![1]) };
}

/**
 * docs/cli.md: `--help` and a flag refused as it is parsed answer before the command loads the
 * gateway. The command tree is built without loading what the commands run (cli/program.ts), so
 * neither loads typeorm, Apollo or a vendor SDK: an operator's typo (and each of the many bad-value
 * cases the e2e suites run) costs a fraction of a second, not the gateway's whole start-up.
 */
describe("the CLI's start-up", () => {
  it("prints --help without loading the database, GraphQL, Redis or vendor packages", () => {
    const r = run(["--help"]);
    expect(r.status).toBe(0);
    expect(r.loaded).toEqual([]);
  });

  it("refuses a bad flag or flag value (exit 2) before loading them", () => {
    for (const args of [["migrate", "--bogus"], ["serve", "--role", "bogus"], ["block", "list", "--limit", "abc"], ["app", "create", "--name", "X", "--fallback-channel", "PIGEON"], ["totp", "revoke", "--id", "nope"]]) {
      const r = run(args);
      expect({ args, status: r.status, loaded: r.loaded }).toEqual({ args, status: 2, loaded: [] });
      expect(r.stderr).toMatch(/error: /);
    }
  });
});

/**
 * docs/benchmark.md (issue #24, memory): each thread of a `serve` keeps the source text of every
 * module it loads. The gateway's code (app.js and, through it, every provider and vendor
 * webhook) loads a vendor's SDK only when that vendor is configured, Redis's client without
 * the `redis` package's module command sets, and no GraphQL package (the worker thread needs none).
 */
describe("the gateway's modules", () => {
  it("load no vendor SDK, no Redis module commands and no GraphQL until something that needs them is built", () => {
    const app = CLI.replace(/main\.js$/, "app.js");
    const probe = `
      require(${JSON.stringify(app)});
      const loaded = new Set();
      for (const f of Object.keys(require.cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(f);
        if (m) loaded.add(m[1]);
      }
      process.stdout.write(JSON.stringify([...loaded]));`;
    const r = spawnSync(process.execPath, ["-e", probe], { encoding: "utf8", env: { PATH: process.env.PATH }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const loaded: string[] = JSON.parse(r.stdout);
    expect(loaded).toContain("@redis/client"); // the probe saw the gateway's packages
    expect(loaded.filter((p) => /^(@vonage\/|@aws-sdk\/|nodemailer$|redis$|@redis\/(bloom|json|search|time-series)$)/.test(p))).toEqual([]);
    // The worker thread's half: GraphQL's packages load only where a schema is built (roles that serve the API).
    expect(loaded.filter((p) => /^(graphql|type-graphql|graphql-scalars|@apollo\/.*)$/.test(p))).toEqual([]);
  });
});
