import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/src/config/config";
import { parseSenderList, senderFor, SenderListError } from "../../server/src/config/senders";

describe("per-country sender lists", () => {
  it("a single sender is a list with one * rule (the form the variables always had)", () => {
    expect(parseSenderList("+15005550006")).toEqual([{ country: "*", from: "+15005550006" }]);
    expect(parseSenderList("OTPGW")).toEqual([{ country: "*", from: "OTPGW" }]);
    expect(senderFor(parseSenderList("OTPGW"), "JP")).toBe("OTPGW");
  });

  it("picks the first rule naming the destination's country, then *", () => {
    const list = parseSenderList("US:+15551234567, gb:AcmeID ,*:+15557654321");
    expect(list).toEqual([{ country: "US", from: "+15551234567" }, { country: "GB", from: "AcmeID" }, { country: "*", from: "+15557654321" }]);
    expect(senderFor(list, "US")).toBe("+15551234567");
    expect(senderFor(list, "gb")).toBe("AcmeID");
    expect(senderFor(list, "FR")).toBe("+15557654321");
    expect(senderFor(list, null)).toBe("+15557654321");
    expect(senderFor(parseSenderList("US:+15551234567,GB:AcmeID"), "FR")).toBeUndefined();
  });

  it("refuses what would silently misroute: unknown countries, duplicates, rules after *, malformed senders", () => {
    for (const [value, message] of [
      ["XX:+15551234567", /XX is not an ISO 3166 country code/],
      ["US:+15551234567,US:+15557654321", /names US twice/],
      ["*:+15557654321,GB:AcmeID", /comes after \*/],
      ["GB:Acme Corporation Ltd", /sender is not a phone number/],
      ["US:+1555,GB:AcmeID", /sender is not/],
      ["GB:", /sender is not/],
    ] as const) {
      expect(() => parseSenderList(value), value).toThrow(SenderListError);
      expect(() => parseSenderList(value), value).toThrow(message);
    }
  });

  it("is validated at start-up for TWILIO_FROM and VONAGE_FROM, naming the variable", () => {
    const twilio = { TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000001", TWILIO_AUTH_TOKEN: "t" };
    expect(() => loadConfig({ ...twilio, TWILIO_FROM: "US:+15551234567,ZZ:Acme" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...twilio, TWILIO_FROM: "US:+15551234567,ZZ:Acme" })).toThrow(/TWILIO_FROM entry "ZZ:Acme"/);
    expect(() => loadConfig({ VONAGE_API_KEY: "k", VONAGE_API_SECRET: "s", VONAGE_FROM: "GB:Acme,GB:Other" })).toThrow(/VONAGE_FROM names GB twice/);
    expect(loadConfig({ ...twilio, TWILIO_FROM: "GB:AcmeID,*:+15557654321" }).twilio!.from).toEqual([
      { country: "GB", from: "AcmeID" }, { country: "*", from: "+15557654321" },
    ]);
  });
});
