import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { CANCEL_OTP, REQUEST_OTP, RESEND_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { codeFromOutbox, eventually } from "../helpers/codes";

const OTP_SECRET = "test-secret-test-secret-test-secret-0123456789";
const parsed = (gw: TestGateway) => gw.logs.lines.map((l) => JSON.parse(l) as Record<string, any>);

/**
 * What an operator sees: Prometheus families at /metrics, one JSON access line per operation
 * carrying the request id (the caller's X-Request-Id when well formed, echoed back), internal
 * errors that quote it, and no code, key, token or full destination in any line but the
 * development outbox's.
 */
describe("observability: metrics, request ids, log hygiene", () => {
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    gw = await startGateway({ env: { LOG_LEVEL: "debug" } });
    app = await gw.createApp({ name: "Observed", maxSends: 2, resendCooldownSeconds: 0 });
  });
  afterAll(() => gw?.stop());

  it("a caller's well-formed X-Request-Id is echoed and carried by the operation's log line; a malformed one is replaced", async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${app.key}`, "x-request-id": "trace-0001-abcdef" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(res.headers.get("x-request-id")).toBe("trace-0001-abcdef");
    const line = await eventually(() => parsed(gw).find((l) => l.reqId === "trace-0001-abcdef" && l.msg === "graphql operation"), "the access line");
    expect(line).toMatchObject({ operation: "__typename", outcome: "ok", appId: app.id, level: 30 });

    const bad = await fetch(`${gw.url}/healthz`, { headers: { "x-request-id": "bad id\twith spaces" } });
    const echoed = bad.headers.get("x-request-id")!;
    expect(echoed).not.toContain("bad");
    expect(echoed).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an internal error answers with its request id and error id, and the log line carries both", async () => {
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550901", channel: "SMS" } });
    const code = await codeFromOutbox(gw.logs, "+14155550901");
    // A real fault, not a mock: the table verifyOtp writes to is gone for a moment.
    await gw.app.db.ds.query(`ALTER TABLE verify_attempts RENAME TO verify_attempts_away`);
    let failed;
    try {
      failed = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } }, { "x-request-id": "trace-internal-0002" });
    } finally {
      await gw.app.db.ds.query(`ALTER TABLE verify_attempts_away RENAME TO verify_attempts`);
    }
    expect(errorCode(failed)).toBe("INTERNAL_SERVER_ERROR");
    const ext = failed.errors![0].extensions!;
    expect(ext.requestId).toBe("trace-internal-0002");
    expect(ext.errorId).toEqual(expect.any(String));
    expect(JSON.stringify(failed)).not.toContain("verify_attempts"); // no SQL detail leaks to the caller
    const logged = parsed(gw).find((l) => l.errorId === ext.errorId);
    expect(logged).toMatchObject({ reqId: "trace-internal-0002", level: 50 });
    expect(JSON.stringify(logged)).toContain("verify_attempts"); // ...but the operator sees it
    const access = parsed(gw).find((l) => l.reqId === "trace-internal-0002" && l.msg === "graphql operation");
    expect(access).toMatchObject({ operation: "verifyOtp", outcome: "INTERNAL_SERVER_ERROR" });
  });

  it("/metrics exposes requests, sends per provider/channel/country, verify outcomes, refusals, queue depth/age and latency histograms", async () => {
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+447400123456", channel: "SMS" } });
    expect(r.errors).toBeUndefined();
    const code = await codeFromOutbox(gw.logs, "+447400123456");
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code: code === "000000" ? "111111" : "000000" } })).data.verifyOtp.status).toBe("PENDING");
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: r.data.requestOtp.id, code } })).data.verifyOtp.status).toBe("APPROVED");
    // maxSends is 2: the third send to one number is refused.
    for (let i = 0; i < 2; i++) await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550902", channel: "SMS" } });
    expect(errorCode(await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550902", channel: "SMS" } }))).toBe("RATE_LIMITED");
    expect(errorCode(await gql(gw.url, "otpk_0000000000000000_" + "a".repeat(43), "{ __typename }"))).toBe("UNAUTHENTICATED");

    const text = await eventually(async () => {
      const body = await (await fetch(`${gw.url}/metrics`)).text();
      return /otp_delivery_attempts_total\{[^}]*country="GB"[^}]*\} [1-9]/.test(body) ? body : undefined;
    }, "the GB send to be counted");
    const series = (name: string, labels: Record<string, string>) =>
      new RegExp(`^${name}\\{${Object.entries(labels).map(([k, v]) => `(?=[^}]*${k}="${v}")`).join("")}[^}]*\\} ([0-9.e+]+)$`, "m").exec(text)?.[1];
    expect(Number(series("otp_operations_total", { operation: "requestOtp", outcome: "ok" }))).toBeGreaterThanOrEqual(3);
    expect(Number(series("otp_operations_total", { operation: "requestOtp", outcome: "RATE_LIMITED" }))).toBe(1);
    expect(Number(series("otp_operations_total", { operation: "unknown", outcome: "UNAUTHENTICATED" }))).toBe(1);
    expect(Number(series("otp_operation_duration_seconds_count", { operation: "verifyOtp" }))).toBeGreaterThanOrEqual(2);
    expect(Number(series("otp_verify_outcomes_total", { outcome: "APPROVED" }))).toBeGreaterThanOrEqual(1);
    expect(Number(series("otp_verify_outcomes_total", { outcome: "PENDING" }))).toBeGreaterThanOrEqual(1);
    expect(Number(series("otp_delivery_attempts_total", { provider: "outbox", channel: "SMS", country: "GB", outcome: "SENT" }))).toBe(1);
    expect(Number(series("otp_send_latency_seconds_count", { provider: "outbox", channel: "SMS" }))).toBeGreaterThanOrEqual(1);
    expect(Number(series("otp_delivery_queue_delay_seconds_count", { channel: "SMS" }))).toBeGreaterThanOrEqual(1);
    expect(series("otp_delivery_queue_depth", { measure: "depth" })).toBeDefined();
    expect(series("otp_delivery_queue_depth", { measure: "oldest_age_seconds" })).toBeDefined();
    expect(Number(series("otp_http_requests_total", { route: "/graphql", status: "2xx" }))).toBeGreaterThanOrEqual(5);
    expect(Number(series("otp_limit_refusals_total", { rule: "sends_per_destination" }))).toBe(1);
    expect(text).toMatch(/^otp_process_resident_memory_bytes \d+/m);
  });

  it("across a full lifecycle (HTTP and WebSocket), no log line but the outbox's holds a code, key, token, secret or full destination", async () => {
    const dest = "+14155550903";
    const r = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: dest, channel: "SMS", purpose: "login" } });
    expect(r.errors).toBeUndefined();
    const id = r.data.requestOtp.id;
    const codes = [await codeFromOutbox(gw.logs, dest)];

    const ws = createClient({ url: gw.url.replace("http", "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${app.key}` }, lazy: true, retryAttempts: 0 });
    const seen: string[] = [];
    // Ends when we dispose the client; how it ends is not what this test is about.
    const done = new Promise<void>((resolve) => {
      ws.subscribe({ query: `subscription($id: ID!) { deliveryStatus(verificationId: $id) { delivery { status } } }`, variables: { id } },
        { next: (m: any) => seen.push(m.data?.deliveryStatus?.delivery?.status), error: () => resolve(), complete: resolve });
    });
    await eventually(() => (seen.length ? true : undefined), "the subscription snapshot");

    const resent = await gql(gw.url, app.key, RESEND_OTP, { id });
    expect(resent.errors).toBeUndefined();
    codes.push(await codeFromOutbox(gw.logs, dest, 1)); // the second message to this number
    const wrong = codes.includes("000000") ? "999999" : "000000";
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: wrong } })).data.verifyOtp.status).toBe("PENDING");
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { destination: dest, code: codes.at(-1) } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    const token: string = ok.data.verifyOtp.token;
    const second = await gql(gw.url, app.key, REQUEST_OTP, { input: { destination: "+14155550904", channel: "SMS" } });
    await gql(gw.url, app.key, CANCEL_OTP, { id: second.data.requestOtp.id });
    await gql(gw.url, `${app.key}x`, "{ __typename }");
    await ws.dispose();
    await done;

    // otpk_<16 hex>_<43 base64url>: the secret may itself hold "_" (split("_").at(-1) was then a fragment, e.g. "0").
    const keySecret = app.key.slice("otpk_".length + 17);
    expect(keySecret).toHaveLength(43);
    const lines = gw.logs.lines.filter((l) => !JSON.parse(l).outbox);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      for (const code of codes) expect(line).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
      expect(line).not.toContain(keySecret);
      expect(line).not.toContain(token.split(".")[2]);
      expect(line).not.toContain(OTP_SECRET);
      expect(line).not.toContain("4155550903");
      expect(line).not.toContain("4155550904");
    }
  });
});
