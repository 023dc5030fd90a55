import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TwilioFake } from "../fakes/twilio-fake";
import { exited, runCli, startServe } from "../helpers/cli";
import { eventually, extractCode } from "../helpers/codes";
import { freePort } from "../helpers/gateway";
import { OtlpReceiver } from "../helpers/otlp-receiver";
import { createTestDatabase, TEST_REDIS_URL } from "../helpers/test-database";

const SID = "AC00000000000000000000000000000077";
const TOKEN = "twilio-tracing-test-token-0123456789";
const SERVER = 2;
const CLIENT = 3;

/**
 * One trace per code, end to end: `otp-gateway serve` (a real process, so the SDK patches http,
 * pg and redis as they load) exports OTLP/HTTP JSON to a local receiver. The calling backend's
 * traceparent is continued by the GraphQL request, carried in the delivery row to the worker's
 * send and the Twilio SDK's HTTP call, and picked up again by Twilio's signed status callback.
 */
describe("tracing (OpenTelemetry)", () => {
  let receiver: OtlpReceiver;
  let twilio: TwilioFake;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const dir = mkdtempSync(join(tmpdir(), "otpg-trace-"));

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    twilio = await TwilioFake.start({ accountSid: SID, authToken: TOKEN, callbackDelayMs: 10 });
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await twilio?.stop();
    await receiver?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("continues the caller's trace from requestOtp through the outbox row to the vendor call and its status callback", async () => {
    const port = await freePort();
    const env = {
      PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: db.url, DATA_DIR: dir,
      REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `otpg-trace-${randomBytes(4).toString("hex")}:`,
      OTP_SECRET: "trace-secret-trace-secret-trace-secret-0123",
      TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SERVICE_NAME: "otpg-trace-test",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    };
    const created = runCli(["app", "create", "--name", "Traced", "--json"], env, dir);
    expect(created.status).toBe(0);
    const { apiKey } = JSON.parse(created.stdout);
    const { child, output } = await startServe([], env, dir);
    try {
      const traceId = randomBytes(16).toString("hex");
      const callerSpan = randomBytes(8).toString("hex");
      const res = await fetch(`${env.PUBLIC_URL}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}`, traceparent: `00-${traceId}-${callerSpan}-01` },
        body: JSON.stringify({ query: `mutation { requestOtp(input: { destination: "+14155550161", channel: SMS }) { id } }` }),
      });
      const body = await res.json();
      expect(body.data.requestOtp.id).toBeTruthy();
      const sms = await twilio.waitForMessage((m) => m.to === "+14155550161", 15_000);
      expect(extractCode(sms.body!)).toMatch(/^\d{6}$/);

      const callback = await eventually(() => receiver.inTrace(traceId).find((s) => s.name === "delivery.status_callback" && s.attributes["otp.status"] === "DELIVERED"), "the status callback's span", 20_000);
      // The worker thread exports its own spans on its own schedule: its send can arrive after the callback's.
      await eventually(() => receiver.inTrace(traceId).find((s) => s.name === "delivery.send"), "the worker's send span", 20_000);
      const spans = receiver.inTrace(traceId);
      expect(new Set(spans.map((s) => s.service))).toEqual(new Set(["otpg-trace-test"]));

      // The API: the HTTP request continues the caller's span; GraphQL, SQL and Redis under it.
      const request = spans.find((s) => s.kind === SERVER && s.parentSpanId === callerSpan)!;
      expect(request).toBeDefined();
      expect(String(request.attributes["url.path"] ?? request.attributes["http.target"] ?? request.name)).toContain("graphql");
      const graphql = spans.filter((s) => s.name.startsWith("graphql") || s.name.includes("requestOtp"));
      expect(graphql.length).toBeGreaterThan(0);
      const sql = spans.filter((s) => s.attributes["db.system"] === "postgresql" || s.attributes["db.system.name"] === "postgresql");
      expect(sql.some((s) => receiver.descendsFrom(s, request.spanId))).toBe(true);
      const redis = spans.filter((s) => s.attributes["db.system"] === "redis" || s.attributes["db.system.name"] === "redis");
      expect(redis.some((s) => receiver.descendsFrom(s, request.spanId))).toBe(true);
      // Statements, never their parameters (destinations, code hashes).
      expect(JSON.stringify(spans)).not.toContain("4155550161");

      // The worker: its send continues the request's trace, and Twilio's HTTP call is its child.
      const send = spans.find((s) => s.name === "delivery.send")!;
      expect(send).toBeDefined();
      expect(receiver.descendsFrom(send, request.spanId)).toBe(true);
      const twilioPort = new URL(twilio.url).port;
      const vendorCall = spans.find((s) => s.kind === CLIENT && receiver.descendsFrom(s, send.spanId) && JSON.stringify(s.attributes).includes(twilioPort));
      expect(vendorCall).toBeDefined();

      // The callback: recorded in the same trace, linked to the span of the vendor's own request.
      expect(receiver.descendsFrom(callback, request.spanId)).toBe(true);
      expect(callback.links).toHaveLength(1);

      // The exporter's own POSTs are not traced, nor are probes.
      const receiverPort = new URL(receiver.url).port;
      expect(receiver.spans.some((s) => s.kind === CLIENT && JSON.stringify(s.attributes).includes(`:${receiverPort}`))).toBe(false);

      // Every log line written inside the request carries its trace id.
      const requestLines = output().split("\n").filter((l) => l.includes('"graphql operation"'));
      expect(requestLines.length).toBeGreaterThan(0);
      for (const line of requestLines) expect(JSON.parse(line).trace_id).toBe(traceId);
    } finally {
      child.kill("SIGTERM");
      expect(await exited(child)).toBe(0);
    }
  }, 90_000);
});
