import { decodeJwt } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { explainError } from "../../server/src/admin/error-explanations";
import { TelegramChannel } from "../../server/src/channels/telegram-channel";
import { telegramWording } from "../../server/src/channels/locales/telegram";
import { supportedLocales } from "../../server/src/channels/locales";
import { ConfigError, loadConfig } from "../../server/src/config/config";
import { telegramSignatureValid } from "../../server/src/providers/telegram/telegram-report";
import { httpPost } from "../fakes/fake-http";
import { TelegramGatewayFake } from "../fakes/telegram-gateway-fake";
import { AdminClient, PROVIDERS, TIMELINE, createStaff } from "../helpers/admin";
import { codeFromOutboxTable, eventually } from "../helpers/codes";
import { deliveryProbe } from "../helpers/delivery-probe";
import { freePort, startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { startFails } from "../helpers/start-fails";
import { leaks } from "../helpers/support-masking";
import { FAST_RETRY, SLOW_BREAKER } from "../helpers/vendors";
import { DELIVERY_STATUS, collect, statusesOf, wsClient } from "../helpers/ws-client";

const TOKEN = "AAHtelegram-gateway-test-token-0123456789";
/** PUBLIC_URL as a real deployment has it (Telegram reports to https only); the stand-in's `deliverTo` plays the TLS proxy. */
const PUBLIC_URL = "https://otp.example.test";
const NO_TELEGRAM = "+14155550901";
const STATUS_PATH = "/webhooks/telegram/status";

const telegramEnv = (fake: { url: string }, extra: Record<string, string> = {}) => ({
  PUBLIC_URL, TELEGRAM_GATEWAY_TOKEN: TOKEN, TELEGRAM_GATEWAY_API_BASE_URL: fake.url, ...extra,
});

/** TELEGRAM through Telegram's Gateway API (fetch) against the stand-in, with its signed delivery reports. */
describe("delivery through Telegram's Gateway API", () => {
  let tg: TelegramGatewayFake;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let plain: { id: string; key: string };

  beforeAll(async () => {
    tg = await TelegramGatewayFake.start({ token: TOKEN, noTelegram: [NO_TELEGRAM], deliverTo: (u) => u.replace(PUBLIC_URL, gw.url) });
    // The outbox second for TELEGRAM (allowed outside production): a failover has somewhere to go.
    gw = await startGateway({ env: telegramEnv(tg, { TELEGRAM_PROVIDERS: "telegram,outbox" }), retry: FAST_RETRY, breaker: SLOW_BREAKER });
    app = await gw.createApp({ name: "Acme", maxSends: 50, resendCooldownSeconds: 0, settings: { fallbackChannel: "SMS" } });
    plain = await gw.createApp({ name: "Plain", maxSends: 50 });
    tg.clear(); // the start-up token check
  });
  afterEach(() => tg.clear());
  afterAll(async () => {
    await gw?.stop();
    await tg?.stop();
  });

  const { request, delivery, reaches, attempts } = deliveryProbe(() => ({ gw, key: app.key }));
  const deliveries = async (id: string, key = app.key) => (await gql(gw.url, key, GET_VERIFICATION, { id })).data.verification.deliveries;
  const statusUrl = () => `${gw.url}${STATUS_PATH}`;

  it("sends our code with its ttl, payload and https callback; signed reports make it DELIVERED on the subscription; the token says telegram", async () => {
    const id = await request("+447400123901", "TELEGRAM");
    const ws = wsClient(gw.url, app.key);
    const seen = collect(ws, DELIVERY_STATUS, { id });
    try {
      const msg = await tg.waitForMessage((m) => m.phoneNumber === "+447400123901");
      const d = await delivery(id);
      expect(msg).toMatchObject({ auth: "header", ttl: 300, callbackUrl: `${PUBLIC_URL}${STATUS_PATH}`, payload: d.id });
      expect(msg.code).toMatch(/^\d{6}$/);
      // No checkSendAbility (a fee of its own): one call, the send.
      expect(tg.calls.map((c) => c.method)).toEqual(["sendverificationmessage"]);
      expect(await reaches(id, ["DELIVERED"])).toMatchObject({ provider: "telegram", channel: "TELEGRAM", errorCode: null });
      expect((await tg.waitForReport((r) => r.body.includes('"read"'))).status).toBe(200);
      // The subscription's snapshot may already be past SENT (the fake reports within milliseconds); DELIVERED ends it.
      await eventually(() => (statusesOf(seen).at(-1) === "DELIVERED" ? true : undefined), "DELIVERED on the subscription");
    } finally {
      seen.unsubscribe();
      await ws.dispose();
    }
    // The report's raw parameters keep the request and the refund state; the number masked, no code.
    const events: Array<{ raw: Record<string, string> }> = await gw.app.db.ds.query(`SELECT raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);
    // "delivered" and "read" are both DELIVERED: whichever is applied first is the one event (they may overtake the send's answer).
    expect(events).toHaveLength(1);
    expect(["delivered", "read"]).toContain(events[0].raw.status);
    expect(events[0].raw).toMatchObject({ phone_number: "+44******3901", payload: (await delivery(id)).id });
    // The send answer's request_cost is the delivery's price, in US dollars (the Gateway account's unit).
    expect(await gw.app.db.ds.query(`SELECT price_amount::text AS amount, price_currency AS currency, price_source AS source FROM deliveries WHERE verification_id = $1`, [id]))
      .toEqual([{ amount: "0.010000", currency: "USD", source: "vendor" }]);
    const msg = tg.messages[0];
    const ok = await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code: msg.code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    expect(decodeJwt(ok.data.verifyOtp.token)).toMatchObject({ amr: ["otp", "telegram"], phone_number: "+447400123901", phone_number_verified: true });
  });

  it("a number without Telegram is a permanent failure at once: the app's fallback sends the same code by SMS; without one the verification is FAILED", async () => {
    const id = await request(NO_TELEGRAM, "TELEGRAM");
    const both = await eventually(async () => {
      const list = await deliveries(id);
      return list.length === 2 && list[1].provider === "outbox" ? list : undefined;
    }, "the SMS fallback");
    expect(both[0]).toMatchObject({ channel: "TELEGRAM", provider: "telegram", status: "FAILED", errorCode: "PHONE_NUMBER_NOT_AVAILABLE" });
    expect(both[1]).toMatchObject({ channel: "SMS" });
    // One hand-off, no retry, no failover to the outbox that is second for TELEGRAM.
    const code = await codeFromOutboxTable(gw.app.db.ds, NO_TELEGRAM);
    const handOffs = await eventually(async () => ((await attempts(id)).length === 2 ? attempts(id) : undefined), "the fallback's hand-off recorded");
    expect(handOffs.map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["telegram", "FAILED", "PHONE_NUMBER_NOT_AVAILABLE"], ["outbox", "SENT", null]]);
    expect((await gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId: id, code } })).data.verifyOtp.status).toBe("APPROVED");

    const lone = (await gql(gw.url, plain.key, `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id } }`, { input: { destination: NO_TELEGRAM, channel: "TELEGRAM" } })).data.requestOtp.id;
    await eventually(async () => ((await gql(gw.url, plain.key, `query($id: ID!) { verification(id: $id) { status } }`, { id: lone })).data.verification.status === "FAILED" ? true : undefined), "the verification FAILED");
    expect(await deliveries(lone, plain.key)).toHaveLength(1);
  });

  it("an expired report (not read within ttl, refunded) is UNDELIVERED with MESSAGE_EXPIRED, and the fallback moves on", async () => {
    tg.setOutcome("+447400123903", ["expired"]);
    const id = await request("+447400123903", "TELEGRAM");
    const first = await eventually(async () => {
      const list = await deliveries(id);
      return list[0].status === "UNDELIVERED" && list.length === 2 ? list : undefined;
    }, "UNDELIVERED and the fallback");
    expect(first[0]).toMatchObject({ errorCode: "MESSAGE_EXPIRED", errorMessage: expect.stringMatching(/expired without being delivered or read/) });
    expect(first[1].channel).toBe("SMS");
    const [event] = await gw.app.db.ds.query(`SELECT raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);
    expect(event.raw).toMatchObject({ status: "expired", is_refunded: "true" });
  });

  it("refuses forged, unsigned, tampered, stale and future reports (403), changing nothing; the genuine one is applied (200)", async () => {
    tg.setOutcome("+447400123904", null);
    const id = await request("+447400123904", "TELEGRAM");
    const msg = await tg.waitForMessage((m) => m.phoneNumber === "+447400123904");
    await reaches(id, ["SENT"]);
    const body = JSON.stringify({ request_id: msg.requestId, phone_number: msg.phoneNumber, request_cost: 0.01, delivery_status: { status: "expired", updated_at: 1 } });
    const other = body.replace("expired", "delivered");
    const signed = tg.signedHeaders(body);
    for (const headers of [
      tg.signedHeaders(body, { token: "not-the-gateway-token-0123456789" }), // forged
      { "Content-Type": "application/json" }, // unsigned
      { ...tg.signedHeaders(other), "X-Request-Timestamp": signed["X-Request-Timestamp"] }, // signed for another body
      { ...signed, "X-Request-Timestamp": String(Number(signed["X-Request-Timestamp"]) + 1) }, // timestamp changed
      tg.signedHeaders(body, { at: new Date(Date.now() - 10 * 60_000) }), // stale: a captured report replayed
      tg.signedHeaders(body, { at: new Date(Date.now() + 10 * 60_000) }), // from the future
    ]) {
      expect((await httpPost(statusUrl(), headers, body)).status).toBe(403);
    }
    expect(await delivery(id)).toMatchObject({ status: "SENT", errorCode: null });
    expect(await gw.app.db.ds.query(`SELECT 1 FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id])).toEqual([]);
    expect(gw.logs.lines.some((l) => l.includes("status callback refused") && l.includes(STATUS_PATH))).toBe(true);
    // Authentic but about nothing of ours, or without a delivery status: acknowledged (Telegram retries anything else), nothing changes.
    const stranger = JSON.stringify({ request_id: "999", phone_number: "+447400123999", request_cost: 0, delivery_status: { status: "delivered", updated_at: 1 } });
    expect((await httpPost(statusUrl(), tg.signedHeaders(stranger), stranger)).status).toBe(200);
    const verdict = JSON.stringify({ request_id: msg.requestId, phone_number: msg.phoneNumber, request_cost: 0, verification_status: { status: "code_valid", updated_at: 1, code_entered: "123456" } });
    expect((await httpPost(statusUrl(), tg.signedHeaders(verdict), verdict)).status).toBe(200);
    expect(await delivery(id)).toMatchObject({ status: "SENT" });
    expect((await httpPost(statusUrl(), signed, body)).status).toBe(200);
    expect(await delivery(id)).toMatchObject({ status: "UNDELIVERED", errorCode: "MESSAGE_EXPIRED" });
  });

  it("maps Telegram's errors: FLOOD_WAIT retried, BALANCE_NOT_ENOUGH and a refused token fail over at once; texts name the variable, never the token", async () => {
    tg.failNext(1, "FLOOD_WAIT_3", 429);
    const flooded = await request("+447400123905", "TELEGRAM");
    expect(await reaches(flooded, ["SENT", "DELIVERED"])).toMatchObject({ provider: "telegram" });
    expect((await attempts(flooded)).map((a) => [a.outcome, a.error_code])).toEqual([["RETRY", "FLOOD_WAIT"], ["SENT", null]]);

    tg.failNext(1, "BALANCE_NOT_ENOUGH");
    const broke = await request("+447400123906", "TELEGRAM");
    expect(await reaches(broke, ["SENT", "DELIVERED"])).toMatchObject({ provider: "outbox" });
    expect((await attempts(broke)).map((a) => [a.provider, a.outcome, a.error_code])).toEqual([["telegram", "FAILOVER", "BALANCE_NOT_ENOUGH"], ["outbox", "SENT", null]]);

    tg.failNext(1, "ACCESS_TOKEN_INVALID", 401);
    const refused = await request("+447400123907", "TELEGRAM");
    expect(await reaches(refused, ["SENT", "DELIVERED"])).toMatchObject({ provider: "outbox" });
    const [row] = await gw.app.db.ds.query(
      `SELECT a.outcome, a.error_code, a.error_message FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id LIMIT 1`, [refused]);
    expect(row).toMatchObject({ outcome: "FAILOVER", error_code: "ACCESS_TOKEN_INVALID", error_message: expect.stringMatching(/TELEGRAM_GATEWAY_TOKEN/) });
    expect(explainError("telegram", "ACCESS_TOKEN_INVALID")).toMatch(/TELEGRAM_GATEWAY_TOKEN/);
    expect(explainError("telegram", "PHONE_NUMBER_NOT_AVAILABLE")).toMatch(/fallback/);
    // Nothing the gateway stored or logged holds the token (or a code sent through Telegram).
    const stored = JSON.stringify(await gw.app.db.ds.query(
      `SELECT (SELECT json_agg(a) FROM delivery_attempts a) AS attempts, (SELECT json_agg(e) FROM delivery_events e) AS events, (SELECT json_agg(d) FROM deliveries d) AS deliveries`));
    expect(stored).not.toContain(TOKEN);
    expect(gw.logs.lines.join("\n")).not.toContain(TOKEN);
    for (const m of tg.messages) expect(gw.logs.lines.join("\n")).not.toContain(`"${m.code}"`);
  });

  it("counts Telegram sends as paid: the daily spend ceiling's paid budget takes them with SMS", async () => {
    const ceiling = await gw.createApp({ name: "Ceiling", settings: { limits: { spendCeiling: { paidPerDay: 2, emailPerDay: null } } } });
    const send = (destination: string, channel: string) =>
      gql(gw.url, ceiling.key, `mutation($input: RequestOtpInput!) { requestOtp(input: $input) { id } }`, { input: { destination, channel } });
    expect((await send("+447400123921", "TELEGRAM")).errors).toBeUndefined();
    expect((await send("+447400123922", "SMS")).errors).toBeUndefined();
    const refused = await send("+447400123923", "TELEGRAM");
    expect(refused.errors?.[0].extensions?.code).toBe("RATE_LIMITED");
    const blocks = await gw.app.db.ds.query(`SELECT rule, key_masked FROM rate_limit_blocks WHERE app_id = $1`, [ceiling.id]);
    expect(blocks).toEqual([{ rule: "spend_ceiling_paid", key_masked: "Ceiling: paid phone channels" }]);
    expect(tg.messages.map((m) => m.phoneNumber)).not.toContain("+447400123923");
  });

  it("SUPPORT sees Telegram deliveries masked and explained on the timeline, and the provider on the providers page", async () => {
    await createStaff(gw, "agent@example.com", "SUPPORT");
    const support = await AdminClient.signedIn(gw.url, "agent@example.com");
    const [failed] = await gw.app.db.ds.query(`SELECT verification_id FROM deliveries WHERE provider = 'telegram' AND error_code = 'PHONE_NUMBER_NOT_AVAILABLE' LIMIT 1`);
    const answer = await support.gql(TIMELINE, { id: failed.verification_id });
    const v = answer.data.verification;
    expect(v).toMatchObject({ destination: "+1******0901", destinationMasked: true });
    expect(v.timeline.find((t: any) => t.errorCode === "PHONE_NUMBER_NOT_AVAILABLE")).toMatchObject({ provider: "telegram", errorExplanation: expect.stringMatching(/no Telegram account/) });
    expect(leaks(answer.data, { numbers: [NO_TELEGRAM, "+447400123901", "+447400123903"], identifiers: [] }, "timeline")).toEqual([]);
    const rows = (await support.gql(PROVIDERS)).data.providers.data;
    const row = rows.find((p: any) => p.id === "telegram:TELEGRAM");
    expect(row).toMatchObject({ provider: "telegram", channel: "TELEGRAM", position: 0, breakerState: "closed" });
    expect(row.week.failed).toBeGreaterThan(0);
    expect(row.topErrors.find((e: any) => e.code === "PHONE_NUMBER_NOT_AVAILABLE").explanation).toMatch(/fallback/);
    expect(rows.find((p: any) => p.id === "outbox:TELEGRAM")).toMatchObject({ position: 1 });
  });
});

describe("Telegram at start-up, and the stand-in's wire format", () => {
  it("refuses to start with a token Telegram rejects (naming the variable, never the token); starts warning when unreachable", async () => {
    const tg = await TelegramGatewayFake.start({ token: TOKEN });
    try {
      const wrong = "AAHwrong-telegram-gateway-token-987654321";
      const err = await startFails(telegramEnv(tg, { TELEGRAM_GATEWAY_TOKEN: wrong }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toMatch(/TELEGRAM_GATEWAY_TOKEN.*ACCESS_TOKEN_INVALID/);
      expect(err.message).not.toContain(wrong);
      // Refused by the configuration itself, before any database or vendor is touched.
      expect(() => loadConfig(telegramEnv(tg, { TELEGRAM_GATEWAY_TOKEN: "short" }))).toThrow(/TELEGRAM_GATEWAY_TOKEN/);
      expect(() => loadConfig({ TELEGRAM_GATEWAY_API_BASE_URL: tg.url })).toThrow(/TELEGRAM_GATEWAY_TOKEN is required/);
      expect((await startFails(telegramEnv(tg, { TELEGRAM_PROVIDERS: "telegram,twilio" }))).message).toMatch(/TELEGRAM_PROVIDERS names twilio/);
    } finally {
      await tg.stop();
    }
    const gw = await startGateway({ env: telegramEnv({ url: `http://127.0.0.1:${await freePort()}` }, { PUBLIC_URL: "" }) });
    try {
      const lines = gw.logs.lines.map((l) => JSON.parse(l));
      expect(lines.find((l) => l.msg === "provider unreachable at start-up; starting anyway")).toMatchObject({ provider: "telegram", errorCode: "NETWORK" });
      // An http PUBLIC_URL can't take Telegram's reports: said once at start.
      expect(lines.some((l) => /PUBLIC_URL is not an https URL/.test(l.msg))).toBe(true);
      expect(gw.logs.lines.join("\n")).not.toContain(TOKEN);
    } finally {
      await gw.stop();
    }
  });

  it("the stand-in answers as the docs say: tokens, validation errors, RequestStatus; its signature is the documented one", async () => {
    const tg = await TelegramGatewayFake.start({ token: TOKEN, noTelegram: [NO_TELEGRAM] });
    try {
      const call = async (method: string, params: Record<string, unknown>, token: string | null = TOKEN) => {
        const res = await fetch(`${tg.url}/${method}`, {
          method: "POST", headers: { "content-type": "application/json", ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify(params),
        });
        return res.json() as Promise<{ ok: boolean; error?: string; result?: any }>;
      };
      const good = { phone_number: "+447400123910", code: "123456", ttl: 60, callback_url: "https://example.com/cb", payload: "p" };
      expect(await call("sendVerificationMessage", good, "wrong")).toEqual({ ok: false, error: "ACCESS_TOKEN_INVALID" });
      expect(await call("sendVerificationMessage", good, null)).toEqual({ ok: false, error: "ACCESS_TOKEN_REQUIRED" });
      for (const [bad, error] of [
        [{ phone_number: "447400123910" }, "PHONE_NUMBER_INVALID"], [{ code: "123" }, "CODE_INVALID"], [{ ttl: 10 }, "TTL_INVALID"],
        [{ callback_url: "http://example.com/cb" }, "CALLBACK_URL_INVALID"], [{ payload: "x".repeat(129) }, "PAYLOAD_INVALID"],
        [{ phone_number: NO_TELEGRAM }, "PHONE_NUMBER_NOT_AVAILABLE"], [{ sender_username: "nobody_here" }, "SENDER_USERNAME_INVALID"],
      ] as const) {
        expect((await call("sendVerificationMessage", { ...good, ...bad })).error).toBe(error);
      }
      expect(tg.messages).toHaveLength(0);
      const sent = await call("SENDVERIFICATIONMESSAGE", good);
      expect(sent).toMatchObject({ ok: true, result: { phone_number: "+447400123910", request_cost: 0.01, payload: "p", delivery_status: { status: "sent" } } });
      expect((await call("checkVerificationStatus", { request_id: "0" })).error).toBe("REQUEST_ID_INVALID");
      expect((await call("checkVerificationStatus", { request_id: sent.result.request_id, code: "123456" })).result.verification_status.status).toBe("code_valid");
      // The docs' check, computed by the gateway's own verifier from the stand-in's headers.
      const body = JSON.stringify(sent.result);
      const h = tg.signedHeaders(body);
      expect(telegramSignatureValid(TOKEN, h["X-Request-Timestamp"], h["X-Request-Signature"], body)).toBe(true);
      expect(telegramSignatureValid("another-token-0123456789", h["X-Request-Timestamp"], h["X-Request-Signature"], body)).toBe(false);
    } finally {
      await tg.stop();
    }
  });

  it("has TELEGRAM wording in every locale; Telegram gets the code and a ttl within 30–3600 s", () => {
    expect(Object.keys(telegramWording).sort()).toEqual([...supportedLocales].sort());
    for (const w of Object.values(telegramWording)) for (const t of [w.telegram, w.telegramTransaction]) expect(t).toMatch(/\{code\}.*\{minutes\}|\{minutes\}.*\{code\}/s);
    const render = (locale: string, ttlSeconds: number) => new TelegramChannel().render({
      to: "+447400123911", code: "482913", appName: "Acme\nBank", locale, ttlSeconds, purpose: null, transaction: null, settings: {},
    });
    const pt = render("pt-BR", 20);
    expect(pt).toMatchObject({ channel: "TELEGRAM", telegram: { code: "482913", ttlSeconds: 30 } });
    expect(pt.text).toBe("482913 é o seu código de verificação do Acme Bank. Expira em 1 minutos. Não o partilhe.");
    expect(render("xx", 86_400).telegram!.ttlSeconds).toBe(3600);
  });
});
