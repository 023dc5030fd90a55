/**
 * Proves the vendor fakes are faithful enough for the REAL SDKs: requests succeed, errors
 * surface as the SDKs' own exception types, and webhooks carry signatures the SDKs' own
 * validators accept. If one of these breaks after an SDK upgrade, the fakes need updating
 * before any gateway integration test can be trusted.
 */
import type http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import twilio from "twilio";
import { Vonage } from "@vonage/server-sdk";
// Transitive packages of @vonage/server-sdk (it only re-exports the Vonage class).
import { AlgorithmTypes } from "@vonage/auth";
import { SMSFailure } from "@vonage/sms";
import { VetchError } from "@vonage/vetch";
import { closeServer, listenLocal, readBody } from "./fake-http";
import { TwilioFake, signTwilioRequest } from "./twilio-fake";
import { VonageFake, signVonageParams } from "./vonage-fake";

interface Received {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  params: Record<string, string>;
}

/** A tiny webhook receiver standing in for the gateway's callback endpoints. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const { server, port } = await listenLocal(async (req, res) => {
    const raw = await readBody(req);
    const u = new URL(req.url ?? "/", "http://x");
    const params = (req.headers["content-type"] ?? "").includes("json")
      ? (JSON.parse(raw) as Record<string, string>)
      : Object.fromEntries(new URLSearchParams(raw || u.search));
    received.push({ path: u.pathname, method: req.method ?? "", headers: req.headers, params });
    res.writeHead(204).end();
  }, (res) => res.writeHead(500).end());
  return { url: `http://127.0.0.1:${port}`, received, close: () => closeServer(server) };
}

describe("TwilioFake with the real twilio SDK", () => {
  const accountSid = "AC" + "0123456789abcdef".repeat(2);
  const authToken = "test-auth-token";
  let fake: TwilioFake;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: ReturnType<typeof twilio>;

  beforeAll(async () => {
    fake = await TwilioFake.start({ accountSid, authToken, callbackDelayMs: 10 });
    receiver = await startReceiver();
    client = twilio(accountSid, authToken);
    client.api.baseUrl = fake.url;
  });
  afterEach(() => fake.clear());
  afterAll(async () => {
    await fake.stop();
    await receiver.close();
  });

  it("validates credentials via accounts(sid).fetch()", async () => {
    const account = await client.api.v2010.accounts(accountSid).fetch();
    expect(account.sid).toBe(accountSid);
    expect(account.status).toBe("active");

    const bad = twilio(accountSid, "wrong-token");
    bad.api.baseUrl = fake.url;
    await expect(bad.api.v2010.accounts(accountSid).fetch()).rejects.toMatchObject({ status: 401, code: 20003 });
  });

  it("sends an SMS and posts signed sent -> delivered callbacks", async () => {
    const statusCallback = `${receiver.url}/twilio/status?tenant=t1`;
    const msg = await client.messages.create({ to: "+15005550006", from: "+15005550001", body: "Your code is 123456", statusCallback });
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(msg.status).toBe("queued");
    expect(msg.dateCreated).toBeInstanceOf(Date);

    const rec = await fake.waitForMessage((m) => m.sid === msg.sid);
    expect(rec).toMatchObject({ kind: "sms", to: "+15005550006", body: "Your code is 123456", statusCallback });

    await fake.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus === "delivered");
    const got = receiver.received.filter((r) => r.params.MessageSid === msg.sid);
    expect(got.map((r) => r.params.MessageStatus)).toEqual(["sent", "delivered"]);
    for (const r of got) {
      const signature = r.headers["x-twilio-signature"] as string;
      expect(twilio.validateRequest(authToken, signature, statusCallback, r.params)).toBe(true);
      expect(r.params).toMatchObject({ SmsSid: msg.sid, AccountSid: accountSid, To: "+15005550006", ApiVersion: "2010-04-01" });
    }
    expect(fake.callbacks.every((c) => c.status === 204)).toBe(true);
    // A forged/altered callback must not validate.
    const tampered = { ...got[1].params, MessageStatus: "failed" };
    expect(twilio.validateRequest(authToken, got[1].headers["x-twilio-signature"] as string, statusCallback, tampered)).toBe(false);
    expect(twilio.validateRequest(authToken, signTwilioRequest(authToken, statusCallback, tampered), statusCallback, tampered)).toBe(true);
  });

  it("scripts an undelivered outcome with ErrorCode 30003", async () => {
    fake.setOutcome("+15005550009", { status: "undelivered", errorCode: "30003" });
    const statusCallback = `${receiver.url}/twilio/status`;
    const msg = await client.messages.create({ to: "+15005550009", from: "+15005550001", body: "x", statusCallback });
    const cb = await fake.waitForCallback((c) => c.params.MessageSid === msg.sid && c.params.MessageStatus !== "sent");
    expect(cb.params).toMatchObject({ MessageStatus: "undelivered", ErrorCode: "30003" });
  });

  it("places a call and posts a signed completed callback", async () => {
    const statusCallback = `${receiver.url}/twilio/call-status`;
    const call = await client.calls.create({
      to: "+15005550006",
      from: "+15005550001",
      twiml: "<Response><Say>Your code is 1 2 3 4 5 6</Say></Response>",
      statusCallback,
      statusCallbackEvent: ["completed"],
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(call.status).toBe("queued");
    expect((await fake.waitForMessage((m) => m.sid === call.sid)).twiml).toContain("<Say>");

    const cb = await fake.waitForCallback((c) => c.params.CallSid === call.sid);
    expect(cb.params.CallStatus).toBe("completed");
    const r = receiver.received.find((x) => x.params.CallSid === call.sid)!;
    expect(twilio.validateRequest(authToken, r.headers["x-twilio-signature"] as string, statusCallback, r.params)).toBe(true);
  });

  it("surfaces an injected 21211 as a RestException", async () => {
    fake.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const err = await client.messages.create({ to: "+15005550006", from: "+15005550001", body: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ status: 400, code: 21211, moreInfo: "https://www.twilio.com/docs/errors/21211" });
    expect((err as Error).constructor.name).toBe("RestException");
    expect(fake.requests).toBe(1);
    expect(fake.messages).toHaveLength(0);
    // Only the next request fails.
    await expect(client.messages.create({ to: "+15005550006", from: "+15005550001", body: "x" })).resolves.toHaveProperty("sid");
    expect(fake.requests).toBe(2);
  });

  it("surfaces an outage as status 503 until it is turned off", async () => {
    fake.setOutage(true);
    for (let i = 0; i < 2; i++) {
      await expect(client.messages.create({ to: "+15005550006", from: "+15005550001", body: "x" })).rejects.toMatchObject({ status: 503 });
    }
    fake.setOutage(false);
    await expect(client.messages.create({ to: "+15005550006", from: "+15005550001", body: "x" })).resolves.toHaveProperty("sid");
    expect(fake.requests).toBe(3);
  });

  it("rejects an invalid To like Twilio does", async () => {
    await expect(client.messages.create({ to: "12", from: "+15005550001", body: "x" })).rejects.toMatchObject({ status: 400, code: 21211 });
  });
});

describe("VonageFake with the real @vonage/server-sdk", () => {
  const apiKey = "abcd1234";
  const apiSecret = "s3cr3t";
  const signatureSecret = "sig-secret";
  let fake: VonageFake;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let vonage: Vonage;

  beforeAll(async () => {
    receiver = await startReceiver();
    fake = await VonageFake.start({ apiKey, apiSecret, signatureSecret, callbackDelayMs: 10 });
    fake.setDlrUrl(`${receiver.url}/vonage/dlr`);
    vonage = new Vonage({ apiKey, apiSecret }, { restHost: fake.url, apiHost: fake.url });
  });
  afterEach(() => fake.clear());
  afterAll(async () => {
    await fake.stop();
    await receiver.close();
  });

  it("sends an SMS, returns a message-id and posts a signed DLR", async () => {
    const resp = await vonage.sms.send({ to: "+447700900001", from: "OTPGW", text: "Your code is 123456", clientRef: "otp-1" });
    expect(resp.messages[0].status).toBe("0");
    const messageId = resp.messages[0].messageId;
    expect(messageId).toMatch(/^[0-9A-F]{16}$/);
    expect(await fake.waitForMessage((m) => m.messageId === messageId)).toMatchObject({ to: "447700900001", clientRef: "otp-1" });

    const cb = await fake.waitForCallback((c) => c.params.messageId === messageId);
    expect(cb.status).toBe(204);
    const dlr = receiver.received.find((r) => r.params.messageId === messageId)!;
    expect(dlr.params).toMatchObject({ msisdn: "447700900001", to: "OTPGW", status: "delivered", "err-code": "0", "api-key": apiKey, "client-ref": "otp-1" });
    expect(dlr.params.sig).toMatch(/^[0-9A-F]{64}$/);
    expect(vonage.sms.verifySignature(dlr.params.sig, dlr.params, signatureSecret, AlgorithmTypes.sha256hmac)).toBe(true);
    expect(signVonageParams(dlr.params, signatureSecret)).toBe(dlr.params.sig);
    const tampered = { ...dlr.params, status: "failed" };
    expect(vonage.sms.verifySignature(dlr.params.sig, tampered, signatureSecret, AlgorithmTypes.sha256hmac)).toBe(false);
  });

  it("scripts a failed DLR and honours a per-message callback URL", async () => {
    fake.setOutcome("447700900002", { status: "failed", errCode: "6" });
    const resp = await vonage.sms.send({ to: "447700900002", from: "OTPGW", text: "x", callback: `${receiver.url}/vonage/other` });
    const cb = await fake.waitForCallback((c) => c.params.messageId === resp.messages[0].messageId);
    expect(cb.url).toBe(`${receiver.url}/vonage/other`);
    expect(cb.params).toMatchObject({ status: "failed", "err-code": "6" });
  });

  it("surfaces an injected status 3 as an SMSFailure (HTTP 200, like Vonage)", async () => {
    fake.failNext(1, { status: "3", errorText: "Invalid from param" });
    const err = await vonage.sms.send({ to: "447700900001", from: "OTPGW", text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SMSFailure);
    expect((err as SMSFailure).getFailedMessages()[0]).toMatchObject({ status: "3", errorText: "Invalid from param" });
    expect(fake.requests).toBe(1);
    expect(fake.messages).toHaveLength(0);
  });

  it("rejects bad credentials with status 4", async () => {
    const bad = new Vonage({ apiKey, apiSecret: "nope" }, { restHost: fake.url });
    const err = await bad.sms.send({ to: "447700900001", from: "OTPGW", text: "x" }).catch((e: unknown) => e);
    expect((err as SMSFailure).getFailedMessages()[0].status).toBe("4");
  });

  it("surfaces HTTP 500 / outages as a VetchError with the status", async () => {
    fake.failNext(1, { httpStatus: 500 });
    const err = await vonage.sms.send({ to: "447700900001", from: "OTPGW", text: "x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VetchError);
    expect((err as VetchError).response?.status).toBe(500);

    fake.setOutage(true);
    await expect(vonage.sms.send({ to: "447700900001", from: "OTPGW", text: "x" })).rejects.toMatchObject({ response: { status: 503 } });
    fake.setOutage(false);
    await expect(vonage.sms.send({ to: "447700900001", from: "OTPGW", text: "x" })).resolves.toBeTruthy();
    expect(fake.requests).toBe(3);
  });

  it("delivers GET DLRs with md5hash signatures when configured that way", async () => {
    const other = await VonageFake.start({ apiKey, apiSecret, signatureSecret, signatureAlgorithm: "md5hash", dlrMethod: "GET", dlrUrl: `${receiver.url}/vonage/get-dlr`, callbackDelayMs: 1 });
    try {
      const v = new Vonage({ apiKey, apiSecret }, { restHost: other.url });
      const resp = await v.sms.send({ to: "447700900003", from: "OTPGW", text: "x" });
      await other.waitForCallback((c) => c.params.messageId === resp.messages[0].messageId);
      const dlr = receiver.received.find((r) => r.params.messageId === resp.messages[0].messageId)!;
      expect(dlr.method).toBe("GET");
      expect(v.sms.verifySignature(dlr.params.sig, dlr.params, signatureSecret, AlgorithmTypes.md5hash)).toBe(true);
    } finally {
      await other.stop();
    }
  });
});
