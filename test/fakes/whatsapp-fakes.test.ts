/**
 * The WhatsApp parts of the Twilio and Vonage stand-ins, driven by the REAL SDKs: what they
 * accept and refuse, the errors the SDKs surface, and callbacks that the vendors' own
 * verifiers accept. If one of these breaks after an SDK upgrade, fix the stand-ins first.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { Vonage } from "@vonage/server-sdk";
// Transitive packages of @vonage/server-sdk.
import { verifySignature } from "@vonage/jwt";
import { WhatsAppTemplate } from "@vonage/messages";
import { decodeJwt } from "jose";
import { TwilioFake } from "./twilio-fake";
import { AUTH_TEMPLATE_BODY, newContentSid } from "./twilio-whatsapp";
import { VonageFake } from "./vonage-fake";

interface Received { headers: http.IncomingHttpHeaders; raw: string }

async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c)).on("end", () => {
      received.push({ headers: req.headers, raw });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("TwilioFake's WhatsApp with the real twilio SDK", () => {
  const accountSid = "AC" + "0123456789abcdef".repeat(2);
  const authToken = "test-auth-token";
  const contentSid = newContentSid();
  let fake: TwilioFake;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: ReturnType<typeof twilio>;

  beforeAll(async () => {
    fake = await TwilioFake.start({ accountSid, authToken, callbackDelayMs: 5, contents: [{ sid: contentSid, language: "en", body: AUTH_TEMPLATE_BODY }] });
    receiver = await startReceiver();
    client = twilio(accountSid, authToken);
    client.api.baseUrl = fake.url;
    (client.content as unknown as { baseUrl: string }).baseUrl = fake.url;
  });
  afterAll(async () => {
    await fake.stop();
    await receiver.close();
  });

  it("fetches a Content template; an unknown SID is a 404 RestException", async () => {
    const content = await client.content.v1.contents(contentSid).fetch();
    expect(content).toMatchObject({ sid: contentSid, language: "en", accountSid });
    expect(Object.keys(content.types as object)).toEqual(["whatsapp/authentication"]);
    await expect(client.content.v1.contents(newContentSid()).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it("sends a template to whatsapp:+…, shows the filled template, and posts signed sent → delivered → read", async () => {
    const statusCallback = `${receiver.url}/twilio/status`;
    const msg = await client.messages.create({
      to: "whatsapp:+447911123456", from: "whatsapp:+14155238886", contentSid, contentVariables: JSON.stringify({ 1: "482915" }), statusCallback,
    });
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(await fake.waitForMessage((m) => m.sid === msg.sid)).toMatchObject({ kind: "whatsapp", contentSid, body: "*482915* is your verification code. For your security, do not share this code." });
    await fake.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus === "read");
    const got = fake.callbacks.filter((c) => c.params.MessageSid === msg.sid);
    expect(got.map((c) => c.params.MessageStatus)).toEqual(["sent", "delivered", "read"]);
    for (const c of got) expect(c.params).toMatchObject({ ChannelPrefix: "whatsapp", To: "whatsapp:+447911123456", ChannelToAddress: "+447911123456" });
    const signed = receiver.received.filter((r) => r.raw.includes(msg.sid));
    for (const r of signed) {
      expect(twilio.validateRequest(authToken, r.headers["x-twilio-signature"] as string, statusCallback, Object.fromEntries(new URLSearchParams(r.raw)))).toBe(true);
    }
  });

  it("refuses mixed channels, unknown templates and bad variables with Twilio's codes; a free-form body fails later with 63016", async () => {
    const base = { to: "whatsapp:+447911123456", from: "whatsapp:+14155238886" };
    await expect(client.messages.create({ ...base, from: "+14155238886", contentSid })).rejects.toMatchObject({ status: 400, code: 21910 });
    await expect(client.messages.create({ ...base, contentSid: newContentSid() })).rejects.toMatchObject({ status: 400, code: 21655 });
    await expect(client.messages.create({ ...base, contentSid, contentVariables: "{not json" })).rejects.toMatchObject({ status: 400, code: 21656 });
    const freeForm = await client.messages.create({ ...base, body: "123456 is your code", statusCallback: `${receiver.url}/s` });
    const cb = await fake.waitForCallback((c) => c.params.MessageSid === freeForm.sid);
    expect(cb.params).toMatchObject({ MessageStatus: "failed", ErrorCode: "63016" });
  });
});

describe("VonageFake's Messages API with the real @vonage/server-sdk", () => {
  const signatureSecret = "signature-secret-0123456789";
  const applicationId = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab";
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKey = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  let fake: VonageFake;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    fake = await VonageFake.start({
      apiKey: "key1", apiSecret: "secret1", signatureSecret, callbackDelayMs: 5,
      messages: { applicationId, publicKey: keys.publicKey.export({ type: "spki", format: "pem" }).toString(), templates: { otp: ["en"] }, senders: ["447700900001"] },
    });
  });
  afterAll(async () => {
    await fake.stop();
    await receiver.close();
  });

  const template = (locale = "en") => new WhatsAppTemplate({
    to: "447911123456", from: "447700900001", template: { name: "otp", parameters: ["482915"] },
    whatsapp: { policy: "deterministic", locale: locale as never }, clientRef: "d-1", webhookUrl: `${receiver.url}/vonage/status`,
  });

  it("accepts a template message with the SDK's JWT (checked with the application's public key) and with Basic auth", async () => {
    const jwt = new Vonage({ applicationId, privateKey }, { apiHost: fake.url });
    const { messageUUID } = await jwt.messages.send(template());
    expect(messageUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(await fake.whatsapp!.waitForMessage((m) => m.messageUuid === messageUUID)).toMatchObject({ auth: "jwt", parameters: ["482915"], locale: "en", clientRef: "d-1" });
    const basic = new Vonage({ apiKey: "key1", apiSecret: "secret1" }, { apiHost: fake.url });
    const second = await basic.messages.send(template());
    expect((await fake.whatsapp!.waitForMessage((m) => m.messageUuid === second.messageUUID)).auth).toBe("basic");
  });

  it("answers 401 to another key and 422 with the problem type to a template not approved in the language", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const wrong = new Vonage({ applicationId, privateKey: other }, { apiHost: fake.url });
    const refused = await wrong.messages.send(template()).catch((e) => e);
    expect(refused.response.status).toBe(401);
    expect(JSON.parse(await refused.response.text()).type).toMatch(/#unauthorized$/);
    const ok = new Vonage({ applicationId, privateKey }, { apiHost: fake.url });
    const invalid = await ok.messages.send(template("pt_BR")).catch((e) => e);
    expect(invalid.response.status).toBe(422);
    expect(JSON.parse(await invalid.response.text())).toMatchObject({ type: "https://developer.vonage.com/api-errors/messages#1022", title: "Invalid template" });
  });

  it("signs status callbacks as Vonage does: HS256 with the signature secret, payload_hash over the exact body", async () => {
    const client = new Vonage({ applicationId, privateKey }, { apiHost: fake.url });
    const { messageUUID } = await client.messages.send(template());
    await fake.whatsapp!.waitForCallback((c) => c.body.message_uuid === messageUUID && c.body.status === "read");
    const got = receiver.received.filter((r) => r.raw.includes(messageUUID));
    expect(got.map((r) => JSON.parse(r.raw).status)).toEqual(["submitted", "delivered", "read"]);
    for (const r of got) {
      const token = String(r.headers.authorization).replace(/^Bearer /, "");
      expect(verifySignature(token, signatureSecret)).toBe(true);
      expect(verifySignature(token, "another-secret")).toBe(false);
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({ iss: "Vonage", api_key: "key1", application_id: applicationId, payload_hash: createHash("sha256").update(r.raw).digest("hex") });
      expect(Math.abs(Number(claims.iat) - Date.now() / 1000)).toBeLessThan(60);
    }
  });
});
