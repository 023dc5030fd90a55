import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../server/src/config/config";
import { spawn } from "node:child_process";
import { CLI, childEnv } from "../helpers/cli";
import { freePort, startGateway } from "../helpers/gateway";
import { startFails } from "../helpers/start-fails";
import { createTestDatabase } from "../helpers/test-database";
import { newContentSid } from "../fakes/twilio-whatsapp";
import { startWhatsAppVendors, type WhatsAppVendors } from "../helpers/whatsapp";

/** The CLI run without blocking this process (spawnSync would freeze the in-process stand-ins it talks to). */
function runCliAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 80_000);
    child.on("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** WhatsApp senders prove their credentials at start-up: refused → exit 2 naming the variables; unreachable → start with the breaker open. */
describe("WhatsApp configuration at start-up", () => {
  let vendors: WhatsAppVendors;
  beforeAll(async () => {
    vendors = await startWhatsAppVendors();
  });
  afterAll(() => vendors?.stop());

  it("Twilio: a refused auth token stops `otp-gateway serve` with exit 2, naming the variables, never the token", async () => {
    const db = await createTestDatabase();
    try {
      const r = await runCliAsync(["serve"], {
        ...vendors.envFor("twilio"), TWILIO_AUTH_TOKEN: "wrong-token-0123456789", PORT: String(await freePort()), HOST: "127.0.0.1",
        DATABASE_URL: db.url, OTP_SECRET: "test-secret-test-secret-test-secret-0123456789", LOG_LEVEL: "warn",
      });
      expect(r.status).toBe(2);
      expect(r.output).toMatch(/TWILIO_ACCOUNT_SID \/ TWILIO_AUTH_TOKEN: Twilio WhatsApp check failed: 20003/);
      expect(r.output).not.toContain("wrong-token");
    } finally {
      await db.drop();
    }
  }, 90_000);

  it("Twilio: a Content SID the account doesn't have is refused, naming TWILIO_WHATSAPP_CONTENT_SID", async () => {
    const err = await startFails({ ...vendors.envFor("twilio", { sms: true }), TWILIO_WHATSAPP_CONTENT_SID: newContentSid() });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/TWILIO_WHATSAPP_CONTENT_SID: Twilio WhatsApp check failed: Content template HX[0-9a-f]{32} not found/);
  });

  it("Vonage: a private key that isn't the application's is refused, naming VONAGE_APPLICATION_ID / VONAGE_PRIVATE_KEY", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const err = await startFails({ ...vendors.envFor("vonage"), VONAGE_PRIVATE_KEY: other });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/VONAGE_APPLICATION_ID \/ VONAGE_PRIVATE_KEY: Vonage Messages API check failed: unauthorized/);
    expect(err.message).not.toContain("PRIVATE KEY");
    expect(vendors.vonage.whatsapp!.messages).toHaveLength(0);
  });

  it("Vonage: a refused secret (Basic auth) is refused, naming VONAGE_API_KEY / VONAGE_API_SECRET", async () => {
    const err = await startFails({ ...vendors.envFor("vonage", { vonageAuth: "basic" }), VONAGE_API_SECRET: "not-the-secret" });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/VONAGE_API_KEY \/ VONAGE_API_SECRET: Vonage Messages API check failed/);
    expect(err.message).not.toContain("not-the-secret");
  });

  it("starts when a WhatsApp vendor is unreachable, with a warning and its circuit open", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    for (const [vendor, env] of [
      ["twilio", { ...vendors.envFor("twilio"), TWILIO_API_BASE_URL: closed }],
      ["vonage", { ...vendors.envFor("vonage"), VONAGE_API_BASE_URL: closed }],
    ] as const) {
      const gw = await startGateway({ env });
      try {
        const warning = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg?.startsWith("provider unreachable at start-up"));
        expect(warning).toMatchObject({ provider: vendor });
        expect(gw.app.services.registry.forChannel("WHATSAPP" as never).map((p) => p.name)).toEqual([vendor]);
        expect(gw.app.services.registry.providerHealth().find((h) => h.provider === vendor)).toMatchObject({ state: "open" });
      } finally {
        await gw.stop();
      }
    }
  });

  it("refuses WHATSAPP_PROVIDERS naming a vendor without a WhatsApp sender, or one that can't carry it", async () => {
    const noSender = await startFails({ ...vendors.envFor("twilio"), WHATSAPP_PROVIDERS: "twilio,vonage" });
    expect(noSender.message).toMatch(/WHATSAPP_PROVIDERS names vonage, which is not configured/);
    const smtp = await startFails({ ...vendors.envFor("twilio"), SMTP_URL: "smtp://127.0.0.1:1", MAIL_FROM: "a@b.test", WHATSAPP_PROVIDERS: "smtp" });
    expect(smtp.message).toMatch(/WHATSAPP_PROVIDERS names smtp, which can't send WHATSAPP/);
  });
});
