import { describe, expect, it } from "vitest";
import { classify as classifyMessageBird } from "../../server/src/providers/messagebird/messagebird-provider";
import { mapMessageBirdStatus, messageBirdSignatureValid } from "../../server/src/providers/messagebird/messagebird-status";
import { voiceLanguage } from "../../server/src/providers/messagebird/messagebird-voice";
import { classify as classifySns } from "../../server/src/providers/sns/sns-provider";
import { MessageBirdFake } from "../fakes/messagebird-fake";

/** Who can fix a failure decides retry (transient), failover (provider) or stop (permanent): the tables, case by case. */
describe("vendor failures by who can fix them", () => {
  it("MessageBird: recipient errors stop, account errors fail over, throttling and 5xx retry", () => {
    const kind = (status: number, code?: number, parameter?: string) => classifyMessageBird(status, code === undefined ? undefined : { code, description: "x", parameter }).kind;
    expect(kind(422, 9, "recipients")).toBe("permanent");
    expect(kind(422, 9, "originator")).toBe("provider");
    expect(kind(401, 2, "access_key")).toBe("provider");
    expect(kind(402, 25)).toBe("provider");
    expect(kind(429)).toBe("transient");
    expect(kind(500, 99)).toBe("transient");
    expect(kind(503)).toBe("transient");
    expect(classifyMessageBird(422, { code: 9, description: "no (correct) recipients found", parameter: "recipients" })).toMatchObject({ code: "9", message: "no (correct) recipients found" });
    expect(classifyMessageBird(502, undefined).code).toBe("HTTP_502");
  });

  it("SNS: keeps SNS's own code (not the SDK's *Exception class name) and sorts it", () => {
    const err = (name: string, status?: number) => Object.assign(new Error("m"), { name, ...(status !== undefined && { $metadata: { httpStatusCode: status } }) });
    expect(classifySns(err("InvalidParameterException", 400))).toMatchObject({ kind: "permanent", code: "InvalidParameter" });
    expect(classifySns(err("AuthorizationErrorException", 403))).toMatchObject({ kind: "provider", code: "AuthorizationError" });
    expect(classifySns(err("ThrottledException", 429))).toMatchObject({ kind: "transient", code: "ThrottledException" });
    expect(classifySns(err("InternalErrorException", 500))).toMatchObject({ kind: "transient", code: "InternalError" });
    expect(classifySns(err("SomethingNew", 400))).toMatchObject({ kind: "provider" });
    expect(classifySns(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toMatchObject({ kind: "transient", code: "ECONNREFUSED" });
  });

  it("MessageBird statuses and voices map to ours, anything new changes nothing", () => {
    expect(["sent", "delivered", "expired", "delivery_failed", "answered", "busy", "later"].map(mapMessageBirdStatus)).toEqual(["SENT", "DELIVERED", "UNDELIVERED", "FAILED", "DELIVERED", "UNDELIVERED", null]);
    expect([voiceLanguage("pt-BR"), voiceLanguage("pt"), voiceLanguage("en-US"), voiceLanguage("ar"), voiceLanguage(undefined)]).toEqual(["pt-br", "pt-br", "en-us", "en-gb", "en-gb"]);
  });

  it("MessageBird-Signature-JWT: the right key, URL and body pass; any other fails", async () => {
    const fake = await MessageBirdFake.start({ accessKey: "k", signingKey: "signing-key" });
    try {
      const url = "https://gw.example.com/webhooks/messagebird/status?id=1&status=delivered";
      expect(await messageBirdSignatureValid("signing-key", await fake.sign(url), url, "")).toBe(true);
      expect(await messageBirdSignatureValid("signing-key", await fake.sign(url, '{"a":1}'), url, '{"a":1}')).toBe(true);
      expect(await messageBirdSignatureValid("other-key", await fake.sign(url), url, "")).toBe(false);
      expect(await messageBirdSignatureValid("signing-key", await fake.sign(url), url.replace("delivered", "failed"), "")).toBe(false);
      expect(await messageBirdSignatureValid("signing-key", await fake.sign(url), url, '{"a":1}')).toBe(false);
      expect(await messageBirdSignatureValid("signing-key", await fake.sign(url, '{"a":1}'), url, '{"a":2}')).toBe(false);
      expect(await messageBirdSignatureValid("signing-key", await fake.sign(url, "", { at: new Date(Date.now() - 120_000) }), url, "")).toBe(false);
      expect(await messageBirdSignatureValid("signing-key", undefined, url, "")).toBe(false);
    } finally {
      await fake.stop();
    }
  });
});
