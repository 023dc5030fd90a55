import { describe, expect, it } from "vitest";
import { classify as classifySmtp } from "../../server/src/providers/smtp/smtp-provider";
import { TwilioProvider, classify as classifyTwilio } from "../../server/src/providers/twilio/twilio-provider";
import { VonageProvider, classify as classifyVonage } from "../../server/src/providers/vonage/vonage-provider";

/** Each vendor's failures and status words are translated at the boundary, into our kinds and statuses. */
describe("vendor errors and callbacks in our terms", () => {
  it("Twilio: 5xx/429/network retry, auth fails over, invalid numbers stop", () => {
    expect(classifyTwilio({ status: 503, code: 20503, message: "x" })).toMatchObject({ kind: "transient", code: "20503" });
    expect(classifyTwilio({ status: 429, code: 20429, message: "x" })).toMatchObject({ kind: "transient", code: "20429" });
    expect(classifyTwilio(new Error("socket hang up"))).toMatchObject({ kind: "transient" });
    expect(classifyTwilio({ status: 401, code: 20003, message: "x" })).toMatchObject({ kind: "provider", code: "20003" });
    expect(classifyTwilio({ status: 400, code: 21211, message: "x" })).toMatchObject({ kind: "permanent", code: "21211" });
  });

  it("Vonage: SMS API statuses (HTTP 200) and HTTP errors", () => {
    const failure = (status: string) => ({ message: "failed", response: { messages: [{ status, errorText: `status ${status}` }] } });
    expect(classifyVonage(failure("1"))).toMatchObject({ kind: "transient", code: "1" });
    expect(classifyVonage(failure("4"))).toMatchObject({ kind: "provider", code: "4" });
    expect(classifyVonage(failure("3"))).toMatchObject({ kind: "permanent", code: "3" });
    expect(classifyVonage({ message: "Request failed", response: { status: 503 } })).toMatchObject({ kind: "transient", code: "503" });
    expect(classifyVonage({ message: "Request failed", response: { status: 401 } })).toMatchObject({ kind: "provider", code: "401" });
    expect(classifyVonage(new TypeError("fetch failed"))).toMatchObject({ kind: "transient", code: "NETWORK" });
  });

  it("SMTP: 4xx retries, a refused recipient stops, a refused login or policy fails over", () => {
    expect(classifySmtp({ code: "EENVELOPE", responseCode: 450, message: "mailbox busy" })).toMatchObject({ kind: "transient", code: "450" });
    expect(classifySmtp({ code: "EENVELOPE", responseCode: 550, message: "no such user" })).toMatchObject({ kind: "permanent", code: "550" });
    expect(classifySmtp({ code: "EAUTH", responseCode: 535, message: "bad login" })).toMatchObject({ kind: "provider", code: "535" });
    expect(classifySmtp({ code: "ECONNECTION", message: "connect ECONNREFUSED" })).toMatchObject({ kind: "transient", code: "ECONNECTION" });
  });

  it("parses Twilio message and call callbacks, keeping the vendor's error code", () => {
    expect(TwilioProvider.parseStatusCallback({ MessageSid: "SM1", MessageStatus: "undelivered", ErrorCode: "30003" })).toMatchObject({
      provider: "twilio", providerMessageId: "SM1", status: "UNDELIVERED", errorCode: "30003", errorMessage: "Unreachable destination handset",
    });
    expect(TwilioProvider.parseStatusCallback({ CallSid: "CA1", CallStatus: "no-answer" })).toMatchObject({
      providerMessageId: "CA1", status: "UNDELIVERED", errorCode: null, errorMessage: "Call no-answer",
    });
    expect(TwilioProvider.parseStatusCallback({ CallSid: "CA1", CallStatus: "completed" })).toMatchObject({ status: "DELIVERED" });
    expect(TwilioProvider.parseStatusCallback({ MessageSid: "SM1", MessageStatus: "receiving" })).toBeNull();
  });

  it("parses Vonage delivery receipts, dropping the signature from what is kept", () => {
    const report = VonageProvider.parseStatusCallback({ messageId: "0A1", status: "expired", "err-code": "5", sig: "ABC" });
    expect(report).toMatchObject({ provider: "vonage", providerMessageId: "0A1", status: "UNDELIVERED", errorCode: "5", errorMessage: "Portability error" });
    expect(report!.raw).not.toHaveProperty("sig");
    expect(VonageProvider.parseStatusCallback({ messageId: "0A1", status: "delivered", "err-code": "0" })).toMatchObject({ status: "DELIVERED", errorCode: null });
    expect(VonageProvider.parseStatusCallback({ messageId: "0A1", status: "unknown" })).toBeNull();
  });
});
