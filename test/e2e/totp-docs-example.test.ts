import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv, exited, startServe } from "../helpers/cli";
import { eventually } from "../helpers/codes";
import { freePort } from "../helpers/gateway";
import { decodeQrSvg, phoneCode } from "../helpers/totp";

/** The fenced block after the `totp-example` marker in docs/client-api.md, exactly as a reader copies it. */
function docsExample(): string {
  const text = readFileSync(resolve(__dirname, "../../docs/client-api.md"), "utf8");
  const m = /<!-- totp-example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(text);
  if (!m) throw new Error("docs/client-api.md has no totp-example block");
  return m[1];
}

/**
 * The client developers' TOTP walkthrough in docs/client-api.md, run as written against the
 * embedded default (`otp-gateway serve` in an empty folder: embedded Postgres, no Redis): this
 * test plays the user, reading the secret the script prints into an authenticator (`otpauth`)
 * and typing its codes at the prompts.
 */
describe("docs: the TOTP example against the embedded default", () => {
  const dir = mkdtempSync(join(tmpdir(), "otpg-totp-docs-"));
  chmodSync(dir, 0o755); // as root, the embedded Postgres runs as the postgres user, which must reach ./data
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("enrols, writes a QR code of the URI, confirms with the first code and signs in by subject with the next", async () => {
    const port = await freePort();
    const { child: gateway, output } = await startServe([], { PORT: String(port) }, dir);
    try {
      const key = await eventually(() => /API key: (otpk_\S+)/.exec(output())?.[1], "the demo key");
      const script = join(dir, "totp-example.mjs");
      writeFileSync(script, docsExample());
      const run = spawn(process.execPath, [script], { cwd: dir, env: childEnv({ GATEWAY_URL: `http://127.0.0.1:${port}`, OTP_API_KEY: key }), stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      run.stdout.on("data", (d) => (out += d));
      run.stderr.on("data", (d) => (out += d));
      const secret = await eventually(() => /type in this key: ([A-Z2-7]+)/.exec(out)?.[1], "the printed key", 20_000);
      await eventually(() => (out.includes("Code shown in the app: ") ? true : undefined), "the first prompt", 20_000);
      run.stdin.write(`${phoneCode(secret, Date.now())}\n`);
      await eventually(() => (out.includes("Next code (wait until it changes): ") ? true : undefined), "the second prompt", 20_000);
      // The phone's next code: one step ahead is within the drift the gateway allows, and newer than the one just used.
      run.stdin.write(`${phoneCode(secret, Date.now() + 30_000)}\n`);
      expect(await exited(run)).toBe(0);
      expect(out).toContain("confirm: APPROVED");
      expect(out).toContain("sign-in: APPROVED (token: check it against /.well-known/jwks.json)");
      const uri = decodeQrSvg(readFileSync(join(dir, "totp-qr.svg"), "utf8"));
      expect(uri).toBe(`otpauth://totp/Demo%20app:alice%40example.com?secret=${secret}&issuer=Demo%20app&algorithm=SHA1&digits=6&period=30`);
      // The gateway's own log never carries the secret.
      expect(output()).not.toContain(secret);
    } finally {
      gateway.kill("SIGTERM");
      expect(await exited(gateway)).toBe(0);
    }
  }, 120_000);
});
