import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { eventually, extractCode } from "../helpers/codes";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { smsSegments } from "../../server/src/channels/sms-segments";

/**
 * Channel settings from `otp-gateway app create` to the message a person reads: the app's
 * default locale, the SMS Retriever hash and WebOTP lines, the requested locale with its
 * fallbacks, and codes read back from each channel's message verifying.
 */
describe("channel settings and locales end to end", () => {
  let gw: TestGateway;
  let cliEnv: Record<string, string>;
  let key: string;
  let appId: string;
  const dataDir = mkdtempSync(join(tmpdir(), "otpg-cli-"));

  beforeAll(async () => {
    gw = await startGateway();
    cliEnv = { DATABASE_URL: gw.env.DATABASE_URL, OTP_SECRET: gw.env.OTP_SECRET, DATA_DIR: dataDir };
    const created = runCli(
      ["app", "create", "--name", "Pagos Rápidos", "--locale", "es", "--sms-app-hash", "FA+9qCX9VSu", "--webotp-domain", "Login.Example.com", "--json"],
      cliEnv,
    );
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    ({ id: appId, apiKey: key } = JSON.parse(created.stdout));
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The newest outbox message to `to`, once the worker has sent it. */
  const message = (to: string) =>
    eventually(() => gw.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.outbox?.to === to).at(-1)?.outbox as { body: string; subject?: string } | undefined, `a message to ${to}`);
  const request = async (input: Record<string, unknown>) => {
    const r = await gql(gw.url, key, REQUEST_OTP, { input });
    expect(r.errors).toBeUndefined();
    return r.data.requestOtp.id as string;
  };
  const verifies = async (id: string, body: string) => {
    const r = await gql(gw.url, key, VERIFY_OTP, { input: { verificationId: id, code: extractCode(body) } });
    expect(r.data.verifyOtp.status).toBe("APPROVED");
  };

  it("the CLI stores the settings, normalized", async () => {
    const [row] = await gw.app.db.ds.query(`SELECT name, default_locale, settings FROM apps WHERE id = $1`, [appId]);
    expect(row).toEqual({ name: "Pagos Rápidos", default_locale: "es", settings: { smsAppHash: "FA+9qCX9VSu", webOtpDomain: "login.example.com" } });
  });

  it("the CLI refuses a bad hash, domain or locale, naming the problem, and creates nothing", async () => {
    const [{ n: before }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM apps`);
    for (const [flags, words] of [
      [["--sms-app-hash", "tooShort"], "SMS app hash"],
      [["--sms-app-hash", "FA+9qCX9VS!"], "SMS app hash"],
      [["--webotp-domain", "https://example.com/login"], "WebOTP domain"],
      [["--webotp-domain", "-bad-.example.com"], "WebOTP domain"],
      [["--locale", "xx"], "default locale"],
    ] as const) {
      const r = runCli(["app", "create", "--name", "Bad", ...flags], cliEnv);
      expect(r.status, flags.join(" ")).not.toBe(0);
      expect(r.stderr).toContain(words);
    }
    const [{ n: after }] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM apps`);
    expect(after).toBe(before);
  }, 120_000);

  it('SMS: "pt-BR" is written in Portuguese, with the hash line and the WebOTP line last, in one segment', async () => {
    const id = await request({ destination: "+14155550901", channel: "SMS", locale: "pt-BR" });
    const { body } = await message("+14155550901");
    const lines = body.split("\n");
    // UCS-2 (é) leaves 70 characters: the short wording, and the name cut to whole words, keep one segment.
    expect(lines[0]).toMatch(/^\d{6} é seu código Pagos\.$/);
    expect(lines.slice(1)).toEqual(["FA+9qCX9VSu", `@login.example.com #${extractCode(body)}`]);
    expect(smsSegments(body).segments).toBe(1);
    const [v] = await gw.app.db.ds.query(`SELECT locale FROM verifications WHERE id = $1`, [id]);
    expect(v.locale).toBe("pt-BR");
    await verifies(id, body);
  });

  it('a language we lack ("xx"), or none, falls back to the app default (es)', async () => {
    for (const [destination, locale] of [["+14155550902", "xx"], ["+14155550903", undefined]] as const) {
      const id = await request({ destination, channel: "SMS", ...(locale && { locale }) });
      const { body } = await message(destination);
      expect(body.split("\n")[0]).toMatch(/^\d{6} es tu código de Pagos\.$/);
      const [v] = await gw.app.db.ds.query(`SELECT locale FROM verifications WHERE id = $1`, [id]);
      expect(v.locale).toBe("es");
      await verifies(id, body);
    }
  });

  it("VOICE in Japanese reads the digits twice; the code heard verifies", async () => {
    const id = await request({ destination: "+14155550904", channel: "VOICE", locale: "ja" });
    const { body } = await message("+14155550904");
    expect(body).toContain("Pagos Rápidos");
    expect(body).toContain("認証コード");
    const spoken = /(\d(?:, \d){5})/.exec(body)![1];
    expect(body.split(spoken)).toHaveLength(3);
    await verifies(id, body);
  });

  it("EMAIL in German with a transaction names amount and payee; the code verifies", async () => {
    const id = await request({ destination: "kim@example.com", channel: "EMAIL", locale: "de-AT", transaction: { amount: "€ 49,90", payee: "Muster GmbH" } });
    const { body, subject } = await message("kim@example.com");
    expect(subject).toContain("Pagos Rápidos");
    expect(subject).toContain("€ 49,90");
    expect(body).toContain("Zahlung von € 49,90 an Muster GmbH");
    await verifies(id, subject!);
  });
});
