import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CamaraSimSwapFake } from "../fakes/camara-sim-swap-fake";
import { httpPost } from "../fakes/fake-http";
import { TelegramGatewayFake } from "../fakes/telegram-gateway-fake";
import { TwilioFake } from "../fakes/twilio-fake";
import { newMessagingServiceSid } from "../fakes/twilio-rcs";
import { VonageFake } from "../fakes/vonage-fake";
import { exited, runCli, startServe } from "../helpers/cli";
import { eventually, extractCode } from "../helpers/codes";
import { freePort } from "../helpers/gateway";
import { OtlpReceiver } from "../helpers/otlp-receiver";
import { SmtpInbox } from "../helpers/smtp-inbox";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";
import { WebhookReceiver } from "../helpers/webhook-receiver";

const TWILIO_SID = "AC00000000000000000000000000000078";
const TWILIO_TOKEN = "twilio-redaction-test-token-0123456789";
const VONAGE_KEY = "vonagekey78";
const VONAGE_SECRET = "vonage-redaction-api-secret-78";
const VONAGE_SIGNATURE_SECRET = "vonage-redaction-signature-secret-0123456789";
const OTP_SECRET = "redaction-secret-redaction-secret-redaction-0123";
const WEBHOOK_TOKEN = randomBytes(12).toString("hex");
const BY_TWILIO = "+14155550171";
const BY_VONAGE = "+14155550172";
const EMAIL = "trace.probe.78@example.com";
const BY_TELEGRAM = "+447400178178";
const BY_RCS = "+14155550173";
const TELEGRAM_TOKEN = "AAHredaction-telegram-token-0123456789";
const CAMARA = { clientId: "redaction-client", clientSecret: "redaction-camara-client-secret-78" };
const CLIENT = 3;
const SERVER = 2;

/** Every string an export carries (names, attribute values, events, status messages, resource), ids and times aside. */
function exportedStrings(value: unknown, out: string[] = [], key = ""): string[] {
  if (["traceId", "spanId", "parentSpanId", "startTimeUnixNano", "endTimeUnixNano", "timeUnixNano"].includes(key)) return out;
  if (typeof value === "string") out.push(value);
  else if (typeof value === "number") out.push(String(value));
  else if (Array.isArray(value)) for (const v of value) exportedStrings(v, out);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) exportedStrings(v, out, k);
  return out;
}

/**
 * Traces carry what logs may not unless scrubbed: raw query strings (Vonage's GET receipts carry
 * the number), outgoing webhook URLs with their tokens, GraphQL documents with inlined arguments.
 * A full flow through a real `serve` (request with the destination inlined and as variables →
 * Twilio and Vonage stand-ins → their status callbacks, one a GET → webhooks to a URL carrying a
 * token → verify), and then every string of every exported span is scanned.
 */
describe("tracing: what spans never carry", () => {
  let receiver: OtlpReceiver;
  let twilio: TwilioFake;
  let telegram: TelegramGatewayFake;
  let camara: CamaraSimSwapFake;
  let vonage: VonageFake;
  let smtp: SmtpInbox;
  let hooks: WebhookReceiver;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dir = mkdtempSync(join(tmpdir(), "otpg-trace-redaction-"));
  const rcsService = { sid: newMessagingServiceSid(), rcsSender: "rcs:acme_otp_agent", smsSenders: [] };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    twilio = await TwilioFake.start({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, callbackDelayMs: 10, services: [rcsService] });
    telegram = await TelegramGatewayFake.start({ token: TELEGRAM_TOKEN });
    camara = await CamaraSimSwapFake.start(CAMARA);
    camara.swapSim(BY_TWILIO, 2); // flagged: the check's answer travels too
    vonage = await VonageFake.start({
      apiKey: VONAGE_KEY, apiSecret: VONAGE_SECRET, signatureSecret: VONAGE_SIGNATURE_SECRET, signatureAlgorithm: "sha256hmac",
      callbackDelayMs: 10, dlrMethod: "GET",
    });
    smtp = await SmtpInbox.start();
    hooks = await WebhookReceiver.start();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all([twilio?.stop(), telegram?.stop(), camara?.stop(), vonage?.stop(), smtp?.stop(), hooks?.stop(), receiver?.stop()]);
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("no destination, e-mail, code, API key, webhook token or secret in any exported span", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port), PUBLIC_URL: url, DATABASE_URL: db.url, DATA_DIR: dir,
      REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-trace-redact-${randomBytes(4).toString("hex")}:`, OTP_SECRET,
      TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
      VONAGE_API_KEY: VONAGE_KEY, VONAGE_API_SECRET: VONAGE_SECRET, VONAGE_FROM: "OTPGW", VONAGE_API_BASE_URL: vonage.url,
      VONAGE_SIGNATURE_SECRET, VONAGE_SIGNATURE_METHOD: "sha256hmac", SMS_PROVIDERS: "twilio,vonage",
      SMTP_URL: smtp.url(), MAIL_FROM: "OTP Gateway <codes@gateway.test>",
      TWILIO_RCS_MESSAGING_SERVICE_SID: rcsService.sid, TELEGRAM_GATEWAY_TOKEN: TELEGRAM_TOKEN, TELEGRAM_GATEWAY_API_BASE_URL: telegram.url,
      SIM_SWAP_API_BASE_URL: camara.apiBaseUrl, SIM_SWAP_TOKEN_URL: camara.tokenUrl, SIM_SWAP_CLIENT_ID: CAMARA.clientId, SIM_SWAP_CLIENT_SECRET: CAMARA.clientSecret,
      DELIVERY_RETRY_BASE_MS: "20", DELIVERY_RETRY_MAX_MS: "200", WEBHOOK_POLL_MS: "100",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SERVICE_NAME: "otpg-redaction-test",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    // The SIM-swap check on every phone code: the CAMARA call (the number in its body) is in the flow.
    const created = runCli(["app", "create", "--name", "Redacted", "--sim-swap", JSON.stringify({ maxAgeHours: 24, action: "flag" }), "--json"], env, dir);
    expect(created.status).toBe(0);
    const { id: appId, apiKey } = JSON.parse(created.stdout);
    const hook = runCli(["app", "webhook", "add", "--id", appId, "--url", `${hooks.url}/hooks?token=${WEBHOOK_TOKEN}`, "--json"], env, dir);
    expect(hook.status).toBe(0);
    const webhookSecret: string = JSON.parse(hook.stdout).secret;
    hooks.secret = webhookSecret;

    const graphql = async (query: string, variables?: Record<string, unknown>) => {
      const res = await fetch(`${url}/graphql`, {
        method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as any;
    };
    const codes: string[] = [];
    const { child } = await startServe([], env, dir);
    try {
      // 1. Twilio, the destination and the code inlined in the documents (as the README's curl example does).
      const first = await graphql(`mutation { requestOtp(input: { destination: "${BY_TWILIO}", channel: SMS }) { id } }`);
      const firstId: string = first.data.requestOtp.id;
      codes.push(extractCode((await twilio.waitForMessage((m) => m.to === BY_TWILIO, 15_000)).body!));
      expect((await twilio.waitForCallback((c) => c.params.To === BY_TWILIO && c.params.MessageStatus === "delivered", 15_000)).status).toBeLessThan(300);
      const v1 = await graphql(`mutation { verifyOtp(input: { verificationId: "${firstId}", code: "${codes[0]}" }) { status } }`);
      expect(v1.data.verifyOtp.status).toBe("APPROVED");

      // 2. Vonage (Twilio down), as variables; its receipt is a GET with msisdn in the query string.
      twilio.setOutage(true);
      const second = await graphql(`mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id } }`, { input: { destination: BY_VONAGE, channel: "SMS" } });
      const secondId: string = second.data.requestOtp.id;
      const sms = await vonage.waitForMessage((m) => m.to === BY_VONAGE.slice(1), 20_000);
      twilio.setOutage(false);
      codes.push(extractCode(sms.text!));
      const receipt = await vonage.waitForCallback((c) => c.params.messageId === sms.messageId, 15_000);
      expect(receipt.status).toBeLessThan(300);
      expect(receipt.url).not.toContain("msisdn"); // the parameters travel in the GET's query, added by the stand-in
      const v2 = await graphql(`mutation($input: VerifyOtpInput!) { verifyOtp(input: $input) { status } }`, { input: { verificationId: secondId, code: codes[1] } });
      expect(v2.data.verifyOtp.status).toBe("APPROVED");

      // 3. E-mail, inlined.
      const third = await graphql(`mutation { requestOtp(input: { destination: "${EMAIL}", channel: EMAIL }) { id } }`);
      expect(third.data.requestOtp.id).toBeTruthy();
      const mail = await smtp.waitForMessage((m) => JSON.stringify(m.to).includes(EMAIL), 15_000);
      codes.push(extractCode(mail.text ?? ""));

      // 4. Telegram, inlined; its delivery report (the number in its body) arrives signed at /webhooks/telegram/status
      // (PUBLIC_URL is not https here, so Telegram was given no callback URL: the report is posted as Telegram would).
      const fourth = await graphql(`mutation { requestOtp(input: { destination: "${BY_TELEGRAM}", channel: TELEGRAM }) { id } }`);
      const fourthId: string = fourth.data.requestOtp.id;
      const tg = await telegram.waitForMessage((m) => m.phoneNumber === BY_TELEGRAM, 15_000);
      codes.push(tg.code);
      const handedOff = async () => (await graphql(`query($id: ID!) { verification(id: $id) { deliveries { status } } }`, { id: fourthId })).data.verification.deliveries[0]?.status;
      await eventually(async () => ((await handedOff()) === "SENT" ? true : undefined), "the Telegram hand-off", 15_000);
      const report = JSON.stringify({ request_id: tg.requestId, phone_number: BY_TELEGRAM, request_cost: 0.01, delivery_status: { status: "delivered", updated_at: Math.floor(Date.now() / 1000) } });
      expect((await httpPost(`${url}/webhooks/telegram/status`, telegram.signedHeaders(report), report)).status).toBe(200);
      await eventually(async () => ((await handedOff()) === "DELIVERED" ? true : undefined), "the Telegram report applied", 15_000);
      const v4 = await graphql(`mutation { verifyOtp(input: { verificationId: "${fourthId}", code: "${tg.code}" }) { status } }`);
      expect(v4.data.verifyOtp.status).toBe("APPROVED");

      // 5. RCS through Twilio's Messaging Service, as variables; its status callback.
      const fifth = await graphql(`mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id } }`, { input: { destination: BY_RCS, channel: "RCS" } });
      expect(fifth.data.requestOtp.id).toBeTruthy();
      codes.push(extractCode((await twilio.waitForMessage((m) => m.to === BY_RCS, 15_000)).body!));
      expect((await twilio.waitForCallback((c) => c.params.To === BY_RCS && c.params.MessageStatus === "delivered", 15_000)).status).toBeLessThan(300);
      expect(camara.checks.map((c) => c.phoneNumber)).toEqual(expect.arrayContaining([BY_TWILIO, BY_VONAGE, BY_TELEGRAM, BY_RCS]));

      // Webhooks reached the receiver (through the URL with its token) for both approvals.
      await eventually(() => (hooks.accepted().filter((w) => w.json?.type === "verification.approved").length >= 3 ? true : undefined), "the approvals' webhooks", 20_000);
      // The spans of each part of the flow were exported (so the scan below is not of an empty set).
      const receiptPath = (s: { attributes: Record<string, unknown> }) => String(s.attributes["url.path"] ?? "") === "/webhooks/vonage/status";
      await eventually(() => (receiver.spans.some((s) => s.kind === SERVER && receiptPath(s)) ? true : undefined), "the Vonage receipt's span", 20_000);
      const hooksPort = new URL(hooks.url).port;
      await eventually(() => (receiver.spans.some((s) => s.kind === CLIENT && JSON.stringify(s.attributes).includes(`:${hooksPort}`)) ? true : undefined), "the webhook call's span", 20_000);
      await eventually(() => (receiver.spans.some((s) => s.attributes["graphql.source"] !== undefined) ? true : undefined), "a GraphQL span", 20_000);
      const telegramReport = (s: { attributes: Record<string, unknown> }) => String(s.attributes["url.path"] ?? "") === "/webhooks/telegram/status";
      await eventually(() => (receiver.spans.some((s) => s.kind === SERVER && telegramReport(s)) ? true : undefined), "the Telegram report's span", 20_000);
      for (const [what, port] of [["CAMARA check", new URL(camara.apiBaseUrl).port], ["Telegram send", new URL(telegram.url).port]]) {
        await eventually(() => (receiver.spans.some((s) => s.kind === CLIENT && JSON.stringify(s.attributes).includes(`:${port}`)) ? true : undefined), `the ${what}'s span`, 20_000);
      }
    } finally {
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(0); // shutdown flushes what is buffered
    }

    expect(codes).toHaveLength(5);
    const forbidden: Record<string, string> = {
      "E.164 (Twilio)": BY_TWILIO, "digits (Twilio)": BY_TWILIO.slice(1), "national (Twilio)": BY_TWILIO.slice(2),
      "E.164 (Vonage)": BY_VONAGE, "digits (Vonage)": BY_VONAGE.slice(1), "national (Vonage)": BY_VONAGE.slice(2),
      "E.164 (Telegram)": BY_TELEGRAM, "digits (Telegram)": BY_TELEGRAM.slice(1), "national (Telegram)": BY_TELEGRAM.slice(3),
      "E.164 (RCS)": BY_RCS, "digits (RCS)": BY_RCS.slice(1), "national (RCS)": BY_RCS.slice(2),
      "e-mail": EMAIL, "e-mail, encoded": encodeURIComponent(EMAIL),
      "API key": apiKey, "API key's secret": apiKey.split("_").slice(2).join("_"),
      "webhook token": WEBHOOK_TOKEN, "webhook secret": webhookSecret,
      OTP_SECRET, TWILIO_TOKEN, VONAGE_SECRET, VONAGE_SIGNATURE_SECRET, TELEGRAM_TOKEN, "CAMARA secret": CAMARA.clientSecret,
      ...Object.fromEntries(camara.issued.map((t, i) => [`CAMARA token ${i + 1}`, t])),
      ...Object.fromEntries(codes.map((c, i) => [`code ${i + 1}`, c])),
    };
    const strings = receiver.bodies.flatMap((b) => exportedStrings(b));
    expect(strings.length).toBeGreaterThan(100);
    const leaks = Object.entries(forbidden).flatMap(([what, secret]) => strings.filter((s) => s.includes(secret)).map((s) => `${what}: ${s.slice(0, 300)}`));
    expect(leaks).toEqual([]);

    // Scrubbed, not dropped: the receipt's span keeps its path and the query's names.
    const receiptSpan = receiver.spans.find((s) => s.kind === SERVER && String(s.attributes["url.path"]) === "/webhooks/vonage/status" && s.attributes["url.query"])!;
    expect(String(receiptSpan.attributes["url.query"])).toMatch(/msisdn=\[redacted\]/);
  }, 180_000);
});
