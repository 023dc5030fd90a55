import "reflect-metadata";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "pg";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../../server/src/cli/program";
import { runCliAsync } from "../helpers/cli";
import { createTestDatabase } from "../helpers/test-database";

const APP = "<app id>";
const SOME_UUID = "00000000-0000-4000-8000-000000000000";

interface Case { args: string[]; says: RegExp; input?: string }

/**
 * docs/cli.md: "A bad value exits with code 2 and a message naming the variable or flag".
 * At least one bad-value case for every command the page documents (and every command the
 * program has): a new command without one fails here. `<app id>` stands for a real app.
 */
const CASES: Record<string, Case[]> = {
  serve: [{ args: ["--role", "bogus"], says: /--role/ }],
  migrate: [{ args: ["--bogus"], says: /unknown option '--bogus'/ }],
  schema: [{ args: ["--out"], says: /--out/ }],
  "admin schema": [{ args: ["--out"], says: /--out/ }],
  "app create": [
    { args: ["--name", "X", "--code-length", "3"], says: /code length must be a whole number from 4 to 10/ },
    { args: ["--name", "X", "--code-length", "abc"], says: /--code-length/ },
    { args: ["--name", "X", "--ttl", "999999"], says: /ttl must be a whole number from 1 to 86400/ },
    { args: ["--name", "X", "--limits", "notjson"], says: /--limits must be JSON/ },
    { args: ["--name", "X", "--fallback-channel", "PIGEON"], says: /--fallback-channel/ },
    { args: ["--name", "X", "--test-destinations", '[{"destination":"+14155550100","code":"12"}]'], says: /testDestinations\[0\]\.code/ },
    { args: ["--ttl", "60"], says: /--name/ },
    { args: ["--name", "X", "--sim-swap", '{"maxAgeHours":0,"action":"flag"}'], says: /simSwap\.maxAgeHours must be a whole number of hours from 1 to 2400/ },
    { args: ["--name", "X", "--sim-swap", "{maxAgeHours:24}"], says: /--sim-swap must be JSON/ },
  ],
  "app settings": [
    { args: ["--id", APP, "--limits", "notjson"], says: /--limits must be JSON/ },
    { args: ["--id", APP, "--test-destinations", '[{"destination":"nope","code":"123456"}]'], says: /testDestinations\[0\]\.destination/ },
    { args: ["--id", "not-an-id", "--limits", "{}"], says: /--id/ },
    { args: ["--id", APP, "--sim-swap", '{"maxAgeHours":24,"action":"block"}'], says: /simSwap\.action must be one of flag, refuse/ },
    { args: ["--id", APP, "--sim-swap", '{"maxAgeHours":2401,"action":"refuse"}'], says: /simSwap\.maxAgeHours/ },
  ],
  "app safelist add": [
    { args: ["--id", APP, "--pattern", "+1415555xxxxx"], says: /x/ },
    { args: ["--id", "nope", "--pattern", "+14155550123"], says: /--id/ },
  ],
  "app safelist remove": [{ args: ["--id", APP, "--pattern", "not a number"], says: /\S/ }],
  "app safelist list": [{ args: ["--id", "nope"], says: /--id/ }],
  "app add-key": [{ args: ["--id", "nope"], says: /--id/ }],
  "app revoke-key": [
    { args: ["--id", APP, "--key", "bogus"], says: /--key must be a key's public id/ },
    { args: ["--id", APP, "--key", "otpk_0123456789abcdef", "--all"], says: /not both/ },
  ],
  "app webhook add": [
    { args: ["--id", APP, "--url", "ftp://example.com/x"], says: /http/ },
    { args: ["--id", APP, "--url", "https://hooks.example.com/otp", "--events", "verification.approved,nope"], says: /Unknown event type\(s\): nope/ },
  ],
  "app webhook list": [{ args: ["--id", "nope"], says: /--id/ }],
  "app webhook remove": [{ args: ["--id", APP, "--webhook", "nope"], says: /--webhook/ }],
  "app webhook resume": [{ args: ["--id", APP, "--webhook", "nope"], says: /--webhook/ }],
  "admin create": [
    { args: ["--email", "not-an-email", "--role", "ADMIN", "--password-stdin"], input: "correct horse battery staple 42", says: /e-mail/ },
    { args: ["--email", "lead@example.com", "--role", "ROOT", "--password-stdin"], input: "correct horse battery staple 42", says: /--role/ },
    { args: ["--email", "lead@example.com", "--role", "ADMIN", "--password-stdin"], input: "short", says: /password/i },
    { args: ["--email", "lead@example.com", "--role", "ADMIN"], says: /--password-stdin/ },
  ],
  "admin enrolment-link": [{ args: ["--email", "not-an-email"], says: /e-mail/ }],
  "block list": [
    { args: ["--limit", "-5"], says: /--limit/ },
    { args: ["--limit", "abc"], says: /--limit/ },
    { args: ["--app", "nope"], says: /--app/ },
  ],
  "block lift": [
    { args: ["--id", SOME_UUID], says: /--reason/ },
    { args: ["--id", SOME_UUID, "--reason", "   "], says: /Say why the block is lifted/ },
    { args: ["--id", "nope", "--reason", "checked with the customer"], says: /--id/ },
  ],
  "totp list": [
    { args: ["--app", "nope", "--subject", "user-1"], says: /--app/ },
    { args: ["--app", APP, "--subject", "a\u0001b"], says: /subject/ },
  ],
  "totp revoke": [{ args: ["--id", "nope"], says: /--id/ }],
  "keys rotate": [{ args: ["--bogus"], says: /unknown option '--bogus'/ }],
  "audit verify": [{ args: ["--anchor", "nope"], says: /anchor/i }],
  "protection replay": [
    { args: ["--since", "7x"], says: /since/i },
    { args: ["--since", "7d", "--limits", "notjson"], says: /limits/i },
    { args: ["--since", "7d", "--app", "nope"], says: /--app/ },
  ],
};

/** Every `otp-gateway …` command docs/cli.md gives a heading of its own. */
function documentedCommands(): string[] {
  const text = readFileSync(resolve(__dirname, "../../docs/cli.md"), "utf8");
  return [...text.matchAll(/^### `otp-gateway ([a-z -]+)`$/gm)].map((m) => m[1].trim());
}

function programCommands(cmd: Command, prefix: string[] = []): string[] {
  return cmd.commands.flatMap((c) => (c.commands.length ? programCommands(c, [...prefix, c.name()]) : [[...prefix, c.name()].join(" ")]));
}

describe("the CLI: every bad flag or value exits 2, says why on stderr, and changes nothing", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  let env: Record<string, string>;
  let appId: string;

  /** Every table's rows, hashed: "nothing changed" means every hash is the same. */
  async function snapshot(): Promise<Record<string, string>> {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows: tables } = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
      const out: Record<string, string> = {};
      for (const { tablename } of tables) {
        const { rows } = await c.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${tablename}" t`);
        out[tablename] = `${rows[0].n}:${rows[0].h}`;
      }
      return out;
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), "otpg-cli-"));
    env = { DATABASE_URL: db.url, OTP_SECRET: "test-secret-test-secret-test-secret-0123456789", DATA_DIR: dataDir, LOG_LEVEL: "warn" };
    const created = await runCliAsync(["app", "create", "--name", "CLI", "--json"], env);
    expect(created.status, created.stderr).toBe(0);
    appId = JSON.parse(created.stdout).id;
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("has a case for every command docs/cli.md documents and every command the program has", () => {
    const documented = documentedCommands();
    expect(documented).toContain("block lift");
    expect(documented.filter((c) => !CASES[c])).toEqual([]);
    expect(programCommands(buildProgram()).filter((c) => !CASES[c])).toEqual([]);
  });

  it("runs each case through the real CLI: exit 2, a message naming the problem, nothing on stdout, no row changed", async () => {
    const before = await snapshot();
    const runs = Object.entries(CASES).flatMap(([command, cases]) =>
      cases.map((c) => ({ command, ...c, args: [...command.split(" "), ...c.args.map((a) => (a === APP ? appId : a))] })));
    const outcomes: string[] = [];
    // Four processes at a time, each taking the next case as soon as one ends (batches of four waited
    // for their slowest): every case is a Node process starting the CLI.
    let next = 0;
    const worker = async () => {
      for (let r = runs[next++]; r; r = runs[next++]) {
        const got = await runCliAsync(r.args, env, r.input);
        const ok = got.status === 2 && r.says.test(got.stderr) && got.stdout === "";
        if (!ok) outcomes.push(`otp-gateway ${r.args.join(" ")} → exit ${got.status}, stdout ${JSON.stringify(got.stdout.slice(0, 200))}, stderr ${JSON.stringify(got.stderr.slice(0, 300))}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(next).toBeGreaterThan(runs.length); // every case was taken
    expect(outcomes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  }, 600_000);

  it("failures that are not bad values still exit 1 (an app that doesn't exist)", async () => {
    const r = await runCliAsync(["app", "add-key", "--id", SOME_UUID], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no app with id/);
  }, 60_000);
});
