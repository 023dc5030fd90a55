import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { GET_VERIFICATION, REQUEST_OTP, VERIFY_OTP, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { recipients } from "../helpers/smtp-inbox";
import { TWILIO_FROM, startVendors, type Vendors } from "../helpers/vendors";

/** The words a caller hears: the TwiML's text with the markup taken out. */
function spokenText(twiml: string): string {
  return twiml.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim();
}

/**
 * Each vendor channel end to end through the real SDKs and a real SMTP server: the code is
 * read from what the phone or mailbox received, and verifies. Twilio is the default for SMS
 * and VOICE (listed before Vonage), SMTP for EMAIL.
 */
describe("delivery channels through the vendors", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };

  beforeAll(async () => {
    vendors = await startVendors();
    gw = await startGateway({ env: vendors.env });
    app = await gw.createApp({ name: "Acme", maxSends: 50 });
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
  });

  const request = (destination: string, channel: string) => gql(gw.url, app.key, REQUEST_OTP, { input: { destination, channel } });
  const verify = (verificationId: string, code: string) => gql(gw.url, app.key, VERIFY_OTP, { input: { verificationId, code } });
  const deliveryOf = async (id: string) => (await gql(gw.url, app.key, GET_VERIFICATION, { id })).data.verification.deliveries[0];
  const attempts = (verificationId: string) =>
    gw.app.db.ds.query(
      `SELECT a.provider, a.provider_message_id, a.outcome, a.error_code, a.latency_ms FROM delivery_attempts a
         JOIN deliveries d ON d.id = a.delivery_id WHERE d.verification_id = $1 ORDER BY a.id`,
      [verificationId],
    );

  it("SMS via Twilio: the code verifies, the signed callbacks move the delivery to DELIVERED", async () => {
    const r = await request("+14155550201", "SMS");
    const id = r.data.requestOtp.id;
    expect(r.data.requestOtp.deliveries[0].provider).toBe("twilio");
    const sms = await vendors.twilio.waitForMessage((m) => m.to === "+14155550201");
    expect(sms).toMatchObject({ kind: "sms", from: TWILIO_FROM });
    expect((await verify(id, extractCode(sms.body!))).data.verifyOtp.status).toBe("APPROVED");

    await vendors.twilio.waitForCallback((c) => c.params.MessageSid === sms.sid && c.params.MessageStatus === "delivered");
    expect(vendors.twilio.callbacks.filter((c) => c.params.MessageSid === sms.sid).map((c) => c.status)).toEqual([204, 204]);
    const d = await deliveryOf(id);
    expect(d).toMatchObject({ provider: "twilio", status: "DELIVERED", errorCode: null });
    expect(await attempts(id)).toEqual([expect.objectContaining({ provider: "twilio", provider_message_id: sms.sid, outcome: "SENT", error_code: null })]);
    const [event] = await gw.app.db.ds.query(`SELECT status, source, raw FROM delivery_events WHERE verification_id = $1 AND source = 'callback'`, [id]);
    expect(event).toMatchObject({ status: "DELIVERED", source: "callback", raw: expect.objectContaining({ MessageSid: sms.sid, MessageStatus: "delivered" }) });
  });

  it("VOICE via Twilio: the call's TwiML reads the code digit by digit, twice; the code verifies", async () => {
    const r = await request("+14155550202", "VOICE");
    const id = r.data.requestOtp.id;
    expect(r.data.requestOtp.deliveries[0]).toMatchObject({ channel: "VOICE", provider: "twilio" });
    const call = await vendors.twilio.waitForMessage((m) => m.to === "+14155550202");
    expect(call.kind).toBe("call");
    expect(call.statusCallback).toBe(`${gw.env.PUBLIC_URL}/webhooks/twilio/status`);
    const words = spokenText(call.twiml!);
    const code = extractCode(words);
    expect(code).toMatch(/^\d{6}$/);
    expect(words.split(code.split("").join(", ")).length - 1).toBe(2); // read out twice
    expect((await verify(id, code)).data.verifyOtp.status).toBe("APPROVED");

    await vendors.twilio.waitForCallback((c) => c.params.CallSid === call.sid);
    await eventually(async () => ((await deliveryOf(id)).status === "DELIVERED" ? true : undefined), "the call to be DELIVERED (completed)");
    expect((await attempts(id))[0]).toMatchObject({ provider: "twilio", provider_message_id: call.sid, outcome: "SENT" });
  });

  it("EMAIL via SMTP: subject, text and HTML parts with the code, no remote images; the code verifies", async () => {
    const r = await request("Jane.Doe@Example.com", "EMAIL");
    const id = r.data.requestOtp.id;
    expect(r.data.requestOtp.deliveries[0]).toMatchObject({ channel: "EMAIL", provider: "smtp" });
    const mail = await vendors.smtp.waitForMessage((m) => recipients(m).includes("jane.doe@example.com"));
    expect(mail.from?.value[0]).toMatchObject({ name: "OTP Gateway", address: "codes@gateway.test" });
    const code = extractCode(mail.text ?? "");
    expect(mail.subject).toContain("Acme");
    expect(mail.html).toEqual(expect.stringContaining(code));
    // Nothing that loads from the network when the mail is opened.
    expect(String(mail.html)).not.toMatch(/<img|src\s*=\s*["']?https?:|url\(\s*["']?https?:/i);
    expect(mail.headers.get("x-otp-delivery-id")).toBe(r.data.requestOtp.deliveries[0].id);
    expect((await verify(id, code)).data.verifyOtp.status).toBe("APPROVED");

    await eventually(async () => ((await deliveryOf(id)).status === "SENT" ? true : undefined), "the e-mail to be SENT");
    expect((await attempts(id))[0]).toMatchObject({ provider: "smtp", provider_message_id: mail.messageId, outcome: "SENT" });
  });

  it("reports each provider's circuit state in /metrics and providerHealth()", async () => {
    const health = gw.app.services.registry.providerHealth();
    // No WhatsApp sender is configured here, so the outbox carries WHATSAPP (outside production).
    expect(health.map((h) => [h.provider, h.state])).toEqual([["twilio", "closed"], ["vonage", "closed"], ["smtp", "closed"], ["outbox", "closed"]]);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('otp_provider_circuit_state{provider="twilio",state="closed"} 1');
    expect(metrics).toContain('otp_provider_circuit_state{provider="vonage",state="open"} 0');
  });
});
