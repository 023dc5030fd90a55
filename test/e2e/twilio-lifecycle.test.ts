import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { TwilioFake } from "../fakes/twilio-fake";

const ACCOUNT_SID = "AC00000000000000000000000000000001";
const AUTH_TOKEN = "twilio-test-auth-token-0123456789";

/**
 * The end-to-end path through the real `twilio` SDK and a local stand-in of Twilio's
 * REST API: the code is read from the SMS the "phone" received, never from a debug endpoint.
 */
describe("lifecycle through Twilio", () => {
  let twilio: TwilioFake;
  let gw: TestGateway;
  let app: { id: string; key: string };
  const responses: string[] = [];

  beforeAll(async () => {
    twilio = await TwilioFake.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    gw = await startGateway({
      env: { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: "+15005550006", TWILIO_API_BASE_URL: twilio.url },
    });
    app = await gw.createApp({ name: "Acme" });
  });
  afterAll(async () => {
    await gw?.stop();
    await twilio?.stop();
  });

  const call = async (query: string, variables: Record<string, unknown>, key = app.key) => {
    const r = await gql(gw.url, key, query, variables);
    responses.push(JSON.stringify(r));
    return r;
  };

  it("request → SMS body holds the code → wrong code → right code (JWT verifies against the JWKS) → replay NOT_FOUND", async () => {
    const r = await call(REQUEST_OTP, { input: { destination: "+1 (415) 555-2671", channel: "SMS", purpose: "signup" } });
    const id = r.data.requestOtp.id;
    expect(r.data.requestOtp.deliveries[0].provider).toBe("twilio");

    const sms = await twilio.waitForMessage((m) => m.to === "+14155552671");
    expect(sms.from).toBe("+15005550006");
    expect(sms.body).toContain("Acme");
    expect(sms.statusCallback).toBe(`${gw.env.PUBLIC_URL}/webhooks/twilio/status`);
    const code = extractCode(sms.body!);
    expect(code).toMatch(/^\d{6}$/);

    const sent = await eventually(async () => {
      const s = await call(GET_VERIFICATION, { id });
      const d = s.data.verification.deliveries[0];
      return ["SENT", "DELIVERED"].includes(d.status) ? d : undefined;
    }, "the delivery to be handed to Twilio");
    expect(sent.provider).toBe("twilio");
    const [attempt] = await gw.app.db.ds.query(`SELECT a.provider, a.provider_message_id, a.outcome FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1`, [id]);
    expect(attempt).toEqual({ provider: "twilio", provider_message_id: sms.sid, outcome: "SENT" });

    const wrong = await call(VERIFY_OTP, { input: { verificationId: id, code: code === "123456" ? "654321" : "123456" } });
    expect(wrong.data.verifyOtp).toEqual({ status: "PENDING", attemptsRemaining: 4, token: null });

    const ok = await call(VERIFY_OTP, { input: { verificationId: id, code } });
    expect(ok.data.verifyOtp.status).toBe("APPROVED");
    const { payload } = await jwtVerify(ok.data.verifyOtp.token, createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`)), {
      issuer: gw.env.PUBLIC_URL, audience: app.id,
    });
    expect(payload).toMatchObject({ sub: id, phone_number: "+14155552671", phone_number_verified: true, amr: ["otp", "sms"], purpose: "signup" });

    expect(errorCode(await call(VERIFY_OTP, { input: { verificationId: id, code } }))).toBe("NOT_FOUND");

    // The code never appears in an API response, nor in any log line (no outbox here).
    for (const body of responses) expect(body).not.toContain(code);
    expect(gw.logs.text).not.toContain(code);
    expect(gw.logs.text).not.toContain(app.key);
    expect(gw.logs.text).not.toContain(AUTH_TOKEN);
  });

  it("a key rotation publishes the new key and keeps tokens signed with the old key verifiable", async () => {
    const first = await call(REQUEST_OTP, { input: { destination: "+14155550501", channel: "SMS" } });
    const code1 = extractCode((await twilio.waitForMessage((m) => m.to === "+14155550501")).body!);
    const before = (await call(VERIFY_OTP, { input: { verificationId: first.data.requestOtp.id, code: code1 } })).data.verifyOtp.token;

    const { kid: newKid } = await gw.app.services.tokens.rotate();
    const second = await call(REQUEST_OTP, { input: { destination: "+14155550502", channel: "SMS" } });
    const code2 = extractCode((await twilio.waitForMessage((m) => m.to === "+14155550502")).body!);
    const after = (await call(VERIFY_OTP, { input: { verificationId: second.data.requestOtp.id, code: code2 } })).data.verifyOtp.token;

    const jwks = (await (await fetch(`${gw.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toContain(newKid);
    expect(jwks.keys).toHaveLength(2);
    const set = createRemoteJWKSet(new URL(`${gw.url}/.well-known/jwks.json`));
    const a = await jwtVerify(before, set, { audience: app.id });
    const b = await jwtVerify(after, set, { audience: app.id });
    // Published first, signed with later (after the JWKS's max-age; see signing-key-rotation.test.ts).
    expect(b.protectedHeader.kid).toBe(a.protectedHeader.kid);
    expect(b.protectedHeader.kid).not.toBe(newKid);
  });
});
