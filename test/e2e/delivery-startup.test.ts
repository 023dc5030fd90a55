import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/src/config/config";
import { Channel } from "../../server/src/verification/enums";
import { runCli } from "../helpers/cli";
import { REQUEST_OTP, gql } from "../helpers/graphql-client";
import { freePort, startGateway } from "../helpers/gateway";
import { SmtpInbox } from "../helpers/smtp-inbox";
import { startFails } from "../helpers/start-fails";
import { TWILIO_FROM, TWILIO_SID, VONAGE_FROM, startVendors, type Vendors } from "../helpers/vendors";

/** Configuration is checked when the gateway starts, not at the first code: credentials, vendor names, channel fit. */
describe("delivery configuration at start-up", () => {
  let vendors: Vendors;
  beforeAll(async () => {
    vendors = await startVendors();
  });
  afterAll(() => vendors?.stop());

  it("refuses to start with a Twilio auth token that Twilio rejects, without echoing it", async () => {
    const err = await startFails({ ...vendors.env, TWILIO_AUTH_TOKEN: "wrong-token-0123456789" });
    expect(err).toBeInstanceOf(ConfigError); // exit 2, naming the variables
    expect(err.message).toMatch(/TWILIO_ACCOUNT_SID \/ TWILIO_AUTH_TOKEN: Twilio account check failed: 20003/);
    expect(err.message).not.toContain("wrong-token");
  });

  it("refuses to start with a Vonage secret that Vonage rejects", async () => {
    const err = await startFails({ ...vendors.env, VONAGE_API_SECRET: "not-the-secret" });
    expect(err.message).toMatch(/VONAGE_API_KEY \/ VONAGE_API_SECRET: Vonage account check failed: .*401/);
    expect(err.message).not.toContain("not-the-secret");
  });

  it("refuses to start when the SMTP relay rejects the login; starts with the right one", async () => {
    const credentials = { user: "mailer", pass: "right-password" };
    const relay = await SmtpInbox.start({ credentials });
    try {
      const err = await startFails({ SMTP_URL: relay.url({ ...credentials, pass: "wrong-password" }), MAIL_FROM: "codes@gateway.test" });
      expect(err.message).toMatch(/SMTP relay check failed: .*535/);
      expect(err.message).not.toContain("wrong-password");
      const gw = await startGateway({ env: { SMTP_URL: relay.url(credentials), MAIL_FROM: "codes@gateway.test" } });
      expect(gw.app.services.registry.forChannel(Channel.EMAIL).map((p) => p.name)).toEqual(["smtp"]);
      await gw.stop();
    } finally {
      await relay.stop();
    }
  });

  it("starts when a vendor is unreachable (not refused), with a warning: its circuit breaker handles the outage", async () => {
    const closedPort = await freePort();
    const gw = await startGateway({
      env: { TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: "any-token", TWILIO_FROM, TWILIO_API_BASE_URL: `http://127.0.0.1:${closedPort}` },
    });
    try {
      const warning = gw.logs.lines.map((l) => JSON.parse(l)).find((l) => l.msg === "provider unreachable at start-up; starting anyway");
      expect(warning).toMatchObject({ provider: "twilio", errorCode: expect.any(String) });
      expect(gw.app.services.registry.forChannel(Channel.SMS).map((p) => p.name)).toEqual(["twilio"]);
      // The breaker starts open: the first messages don't each wait for a timeout.
      expect(gw.app.services.registry.providerHealth().find((h) => h.provider === "twilio")).toMatchObject({ state: "open", lastErrorCode: warning.errorCode });
    } finally {
      await gw.stop();
    }
  });

  it("orders providers per channel from SMS_PROVIDERS / VOICE_PROVIDERS; a channel without a vendor gets the outbox", async () => {
    const { SMTP_URL: _smtp, MAIL_FROM: _from, ...env } = vendors.env;
    const gw = await startGateway({ env: { ...env, SMS_PROVIDERS: "vonage, twilio", VOICE_PROVIDERS: "twilio" } });
    try {
      const names = (c: Channel) => gw.app.services.registry.forChannel(c).map((p) => p.name);
      expect([names(Channel.SMS), names(Channel.VOICE), names(Channel.EMAIL)]).toEqual([["vonage", "twilio"], ["twilio"], ["outbox"]]);
      const app = await gw.createApp();
      const sent = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550901", channel: "SMS" } });
      expect(sent.data.requestOtp.deliveries[0].provider).toBe("vonage");
      expect((await vendors.vonage.waitForMessage((m) => m.to === "14155550901")).from).toBe(VONAGE_FROM);
    } finally {
      await gw.stop();
    }
  });

  it("refuses unknown provider names, vendors that aren't configured, and vendors that can't carry the channel", async () => {
    expect(() => loadConfig({ SMS_PROVIDERS: "twilio,nexmo" })).toThrow(ConfigError);
    expect(() => loadConfig({ SMS_PROVIDERS: "twilio,nexmo" })).toThrow(/SMS_PROVIDERS/);
    expect(() => loadConfig({ VOICE_PROVIDERS: "twilio,twilio" })).toThrow(/names a provider twice/);
    const notConfigured = await startFails({ SMS_PROVIDERS: "vonage" });
    expect(notConfigured).toBeInstanceOf(ConfigError);
    expect(notConfigured.message).toMatch(/SMS_PROVIDERS names vonage, which is not configured/);
    const wrongChannel = await startFails({ ...vendors.env, EMAIL_PROVIDERS: "twilio" });
    expect(wrongChannel.message).toMatch(/EMAIL_PROVIDERS names twilio, which can't send EMAIL/);
    const noOutbox = await startFails({ NODE_ENV: "production", PUBLIC_URL: "https://otp.example.com", SINGLE_PROCESS: "true", SMS_PROVIDERS: "outbox" });
    expect(noOutbox.message).toMatch(/SMS_PROVIDERS names outbox, which is off in production/);
  });

  it("`otp-gateway app create --fallback-channel VOICE` stores the fallback; an unknown channel is refused and creates nothing", async () => {
    const gw = await startGateway();
    try {
      const ok = runCli(["app", "create", "--name", "Fallback CLI", "--fallback-channel", "voice", "--json"], gw.env);
      expect(ok.stderr).toBe("");
      expect(ok.status).toBe(0);
      const { id } = JSON.parse(ok.stdout);
      const [row] = await gw.app.db.ds.query(`SELECT settings FROM apps WHERE id = $1`, [id]);
      expect(row.settings.fallbackChannel).toBe("VOICE");
      const bad = runCli(["app", "create", "--name", "Bad", "--fallback-channel", "FAX"], gw.env);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/--fallback-channel.*must be one of SMS, VOICE, EMAIL, WHATSAPP, TELEGRAM, RCS/);
      expect(await gw.app.db.ds.query(`SELECT 1 FROM apps WHERE name = 'Bad'`)).toEqual([]);
    } finally {
      await gw.stop();
    }
  }, 120_000);
});
