import { describe, expect, it } from "vitest";
import { parsePriceTable } from "../../server/src/prices/price-table";
import { vendorPrice } from "../../server/src/prices/vendor-price";

describe("PRICE_TABLE", () => {
  const table = (entries: unknown) => parsePriceTable(JSON.stringify(entries));

  it("matches the most specific entry: more exact fields first, then provider over country over channel; e-mail matches only a * country", () => {
    const { table: t, problems } = table([
      { provider: "*", channel: "*", country: "*", amount: "0.01", currency: "usd" },
      { provider: "*", channel: "SMS", country: "*", amount: "0.02", currency: "USD" },
      { provider: "*", channel: "*", country: "GB", amount: "0.03", currency: "GBP" },
      { provider: "twilio", channel: "*", country: "*", amount: 0.04, currency: "USD" },
      { provider: "*", channel: "SMS", country: "GB", amount: "0.05", currency: "GBP" },
      { provider: "Twilio", channel: "sms", country: "de", amount: "0.0712", currency: "EUR" },
    ]);
    expect(problems).toEqual([]);
    expect(t.size).toBe(6);
    expect(t.lookup("twilio", "SMS", "DE")).toEqual({ amount: "0.0712", currency: "EUR" }); // all three exact
    expect(t.lookup("vonage", "SMS", "GB")).toEqual({ amount: "0.05", currency: "GBP" }); // two exact
    expect(t.lookup("twilio", "SMS", "GB")).toEqual({ amount: "0.05", currency: "GBP" }); // two exact beat provider alone
    expect(t.lookup("twilio", "VOICE", "GB")).toEqual({ amount: "0.04", currency: "USD" }); // provider beats country
    expect(t.lookup("vonage", "VOICE", "GB")).toEqual({ amount: "0.03", currency: "GBP" }); // country beats channel...
    expect(t.lookup("vonage", "SMS", "US")).toEqual({ amount: "0.02", currency: "USD" }); // ...channel beats nothing
    expect(t.lookup("smtp", "EMAIL", null)).toEqual({ amount: "0.01", currency: "USD" });
    expect(parsePriceTable("[]").table.lookup("twilio", "SMS", "US")).toBeNull();
    expect(table([{ provider: "*", channel: "*", country: "US", amount: "1", currency: "USD" }]).table.lookup("smtp", "EMAIL", null)).toBeNull();
  });

  it("refuses a bad file with one line per problem, naming the entry and never loading part of it", () => {
    expect(parsePriceTable("{").problems).toEqual(["PRICE_TABLE is not valid JSON"]);
    expect(parsePriceTable('{"a":1}').problems[0]).toMatch(/must be a JSON array/);
    const { table: t, problems } = table([
      { provider: "twilio", channel: "SMS", country: "US", amount: "0.0079", currency: "USD" },
      { provider: "twilio", channel: "FAX", country: "US", amount: "1", currency: "USD" },
      { provider: "twilio", channel: "SMS", country: "XX", amount: "1", currency: "USD" },
      { provider: "twilio", channel: "SMS", country: "US", amount: "-1", currency: "USD" },
      { provider: "twilio", channel: "SMS", country: "US", amount: "1e3", currency: "USD" },
      { provider: "twilio", channel: "SMS", country: "US", amount: "1", currency: "dollars" },
      { provider: "twilio", channel: "SMS", country: "US", amount: "0.1", currency: "USD" },
      { provider: "", channel: "SMS", country: "US", amount: "1", currency: "USD" },
      { provider: "twilio", channel: "SMS", country: "US", amount: "1", currency: "USD", note: "x" },
      "twilio",
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^PRICE_TABLE\[1\]\.channel/),
      expect.stringMatching(/^PRICE_TABLE\[2\]\.country/),
      expect.stringMatching(/^PRICE_TABLE\[3\] needs "amount"/),
      expect.stringMatching(/^PRICE_TABLE\[4\] needs "amount"/),
      expect.stringMatching(/^PRICE_TABLE\[5\] needs "amount"/),
      expect.stringMatching(/^PRICE_TABLE\[6\] repeats/),
      expect.stringMatching(/^PRICE_TABLE\[7\]\.provider/),
      expect.stringMatching(/^PRICE_TABLE\[8\] has an unknown field "note"/),
      expect.stringMatching(/^PRICE_TABLE\[9\] must be an object/),
    ]);
    expect(t.size).toBe(0);
  });

  it("reads vendors' figures: Twilio's negative amounts lose their sign; anything unparseable is unknown, not zero", () => {
    expect(vendorPrice("-0.00750", "USD")).toEqual({ amount: "0.00750", currency: "USD" });
    expect(vendorPrice("0.03330000", "eur")).toEqual({ amount: "0.03330000", currency: "EUR" });
    expect(vendorPrice(0.0147, "EUR")).toEqual({ amount: "0.0147", currency: "EUR" });
    for (const [a, c] of [[null, "USD"], ["", "USD"], ["abc", "USD"], ["1", null], ["1", "EURO"], ["123456789", "USD"], [Number.NaN, "USD"]]) {
      expect(vendorPrice(a, c)).toBeNull();
    }
  });
});
