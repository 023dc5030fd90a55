import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { parseHttpStatusCallback } from "../../server/src/providers/http/http-status";
import { parseMessageBirdStatus } from "../../server/src/providers/messagebird/messagebird-status";
import { VonageProvider } from "../../server/src/providers/vonage/vonage-provider";
import { VonageWhatsAppProvider } from "../../server/src/providers/vonage/vonage-whatsapp-provider";

/** Each vendor's status report read for its price, in the vendor's own words (the e2e test drives Vonage's through the stand-in). */
describe("prices in vendors' status reports", () => {
  it("Vonage SMS: the receipt's `price` in the account's currency", () => {
    const dlr = { messageId: "0C00000001", status: "delivered", "err-code": "0", price: "0.03330000", msisdn: "447400123401" };
    expect(VonageProvider.parseStatusCallback(dlr, "USD")?.price).toEqual({ amount: "0.03330000", currency: "USD" });
    expect(VonageProvider.parseStatusCallback({ ...dlr, price: "" })?.price).toBeNull();
  });

  it("Vonage Messages: `usage` when present", () => {
    const body = { message_uuid: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", status: "delivered", timestamp: "2026-12-07T10:00:00Z", channel: "whatsapp" };
    expect(VonageWhatsAppProvider.parseStatusCallback({ ...body, usage: { currency: "EUR", price: "0.0147" } })?.price).toEqual({ amount: "0.0147", currency: "EUR" });
    expect(VonageWhatsAppProvider.parseStatusCallback(body)?.price).toBeNull();
  });

  it("MessageBird: `price[amount]` and `price[currency]` when the report carries them", () => {
    const report = { id: "mb1", status: "delivered", recipient: "31612345678", statusDatetime: "2026-12-07T10:00:00+00:00" };
    expect(parseMessageBirdStatus({ ...report, "price[amount]": "0.07", "price[currency]": "EUR" })?.price).toEqual({ amount: "0.07", currency: "EUR" });
    expect(parseMessageBirdStatus(report)?.price).toBeNull();
  });

  it("http vendor: an optional `price` object, ignored (not refused) when it doesn't parse", () => {
    const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;
    const signed = (body: unknown) => {
      const payload = JSON.stringify(body);
      const at = new Date();
      const id = `msg_${Math.random().toString(36).slice(2)}`;
      return parseHttpStatusCallback(secret, payload, {
        "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(secret).sign(id, at, payload),
      });
    };
    const priced = signed({ messageId: "hv_1", status: "delivered", price: { amount: "0.0075", currency: "usd" } });
    expect(priced.ok && priced.report.price).toEqual({ amount: "0.0075", currency: "USD" });
    expect(priced.ok && priced.report.raw.price).toBe("0.0075 USD");
    const odd = signed({ messageId: "hv_2", status: "delivered", price: { amount: "cheap", currency: "USD" } });
    expect(odd.ok && odd.report.price).toBeNull();
    const none = signed({ messageId: "hv_3", status: "failed" });
    expect(none.ok && none.report.price).toBeNull();
  });
});
