import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { REQUEST_OTP, VERIFY_OTP, errorCode, gql } from "../helpers/graphql-client";
import { eventually, extractCode } from "../helpers/codes";
import { startVendors, type Vendors } from "../helpers/vendors";
import { ConfigError, loadConfig } from "../../server/src/config/config";

const ATTEMPTS = `query($filter: AttemptFilter, $first: Int, $after: String) {
  verificationAttempts(filter: $filter, first: $first, after: $after) {
    items { id verificationId channel provider to country status converted price { amount currency } createdAt }
    next
  }
}`;
const SUMMARY = `query($from: DateTime!, $to: DateTime!, $groupBy: [SummaryKey!]) {
  verificationSummary(from: $from, to: $to, groupBy: $groupBy) {
    country channel provider day verifications approved conversionRate attempts cost { amount currency }
  }
}`;

/**
 * What codes cost and who converted, end to end: prices from Vonage's send answer and its receipt
 * (the stand-in answers and reports them as Vonage does), from PRICE_TABLE for Twilio calls (whose
 * answer has none) with its precedence, none for e-mail; then an app's attempts, paged and filtered,
 * and its summaries — and another app seeing none of it.
 */
describe("attempts, prices and summaries for client apps", () => {
  let vendors: Vendors;
  let gw: TestGateway;
  let app: { id: string; key: string };
  let other: { id: string; key: string };
  let dir: string;
  const started = new Date(Date.now() - 60_000).toISOString();
  /** verification id -> what it was */
  const made: Array<{ id: string; to: string; channel: string; country: string | null; converted: boolean }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "otpg-prices-"));
    writeFileSync(join(dir, "prices.json"), JSON.stringify([
      { provider: "*", channel: "VOICE", country: "*", amount: "0.02", currency: "USD" },
      { provider: "twilio", channel: "VOICE", country: "*", amount: "0.013", currency: "USD" },
      { provider: "*", channel: "VOICE", country: "GB", amount: "0.025", currency: "GBP" },
      { provider: "twilio", channel: "VOICE", country: "DE", amount: "0.04", currency: "EUR" },
      // Vonage reports its own price: this entry must never win over it.
      { provider: "vonage", channel: "*", country: "*", amount: "9", currency: "USD" },
    ]));
    vendors = await startVendors();
    gw = await startGateway({ env: { ...vendors.env, SMS_PROVIDERS: "vonage", VOICE_PROVIDERS: "twilio", PRICE_TABLE: join(dir, "prices.json") } });
    app = await gw.createApp({ name: "Shop", maxSends: 50 });
    other = await gw.createApp({ name: "Other", maxSends: 50 });
  });
  afterAll(async () => {
    await gw?.stop();
    await vendors?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const q = (key: string, query: string, variables: Record<string, unknown>) => gql(gw.url, key, query, variables);
  const attempts = async (filter: Record<string, unknown> | null, first = 50, after?: string) => {
    const r = await q(app.key, ATTEMPTS, { filter, first, after });
    expect(r.errors).toBeUndefined();
    return r.data.verificationAttempts as { items: any[]; next: string | null };
  };
  const request = async (destination: string, channel: string, country: string | null) => {
    const r = await q(app.key, REQUEST_OTP, { input: { destination, channel } });
    expect(r.errors).toBeUndefined();
    const id: string = r.data.requestOtp.id;
    made.push({ id, to: destination, channel, country, converted: false });
    return id;
  };
  const priceRow = (verificationId: string) =>
    gw.app.db.ds.query(`SELECT status, price_amount::text AS amount, price_currency AS currency, price_source AS source FROM deliveries WHERE verification_id = $1`, [verificationId]).then((r: any[]) => r[0]);

  it("prices each hand-off: Vonage's answer then its receipt, PRICE_TABLE by precedence for Twilio calls, nothing for e-mail", async () => {
    // Vonage: the send answer's estimate, kept when the receipt never arrives (refused here: a skewed clock)...
    vendors.vonage.setPrice("+447400123401", { messagePrice: "0.04000000", dlrPrice: "0.03500000" });
    vendors.vonage.setSigning({ clockSkewSeconds: -400 });
    const estimate = await request("+447400123401", "SMS", "GB");
    const sms1 = await vendors.vonage.waitForMessage((m) => m.to === "447400123401");
    expect((await vendors.vonage.waitForCallback((c) => c.params.messageId === sms1.messageId)).status).toBe(403);
    // The refused receipt may beat the worker's record of the hand-off: wait for that record.
    await eventually(async () => ((await priceRow(estimate)).status === "SENT" ? true : undefined), "the hand-off's record");
    expect(await priceRow(estimate)).toMatchObject({ status: "SENT", amount: "0.040000", currency: "EUR", source: "vendor" });
    // ...and replaced by the receipt's price when it does (never by the table's entry for vonage).
    vendors.vonage.setSigning({ clockSkewSeconds: 0 });
    vendors.vonage.setPrice("+447400123402", { messagePrice: "0.04000000", dlrPrice: "0.03500000" });
    const receipt = await request("+447400123402", "SMS", "GB");
    await eventually(async () => ((await priceRow(receipt)).status === "DELIVERED" ? true : undefined), "the receipt");
    expect(await priceRow(receipt)).toMatchObject({ amount: "0.035000", currency: "EUR", source: "vendor" });

    // Twilio calls report no price at creation: the table's most specific entry.
    const us = await request("+14155550301", "VOICE", "US"); // twilio+VOICE beats *+VOICE
    const de = await request("+4915112345601", "VOICE", "DE"); // all three exact
    const gb = await request("+447400123403", "VOICE", "GB"); // two exact each: the provider beats the country
    const mail = await request("ann@example.com", "EMAIL", null); // no entry for e-mail: unknown
    for (const id of [us, de, gb, mail]) await eventually(async () => (["SENT", "DELIVERED"].includes((await priceRow(id)).status) ? true : undefined), "hand-off");
    expect(await priceRow(us)).toMatchObject({ amount: "0.013000", currency: "USD", source: "table" });
    expect(await priceRow(de)).toMatchObject({ amount: "0.040000", currency: "EUR", source: "table" });
    expect(await priceRow(gb)).toMatchObject({ amount: "0.013000", currency: "USD", source: "table" });
    expect(await priceRow(mail)).toMatchObject({ amount: null, currency: null, source: null });

    // One of them converts: the code the first SMS carried.
    const code = extractCode(sms1.text!);
    expect((await q(app.key, VERIFY_OTP, { input: { verificationId: estimate, code } })).data.verifyOtp.status).toBe("APPROVED");
    made.find((m) => m.id === estimate)!.converted = true;
  });

  it("lists the app's attempts newest first through pages, masked, each with its price, and filters them", async () => {
    for (const n of ["04", "05", "06"]) await request(`+4474001234${n}`, "SMS", "GB");
    expect(made).toHaveLength(9);
    const all: any[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await attempts(null, 4, after);
      all.push(...page.items);
      after = page.next ?? undefined;
      pages++;
    } while (after && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(all.map((a) => a.id)).size).toBe(9);
    expect(new Set(all.map((a) => a.verificationId))).toEqual(new Set(made.map((m) => m.id)));
    const times = all.map((a) => new Date(a.createdAt).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const byVerification = (id: string) => all.find((a) => a.verificationId === id);
    const estimate = made[0];
    expect(byVerification(estimate.id)).toMatchObject({
      channel: "SMS", provider: "vonage", to: "+44******3401", country: "GB", status: "SENT", converted: true, price: { amount: "0.04", currency: "EUR" },
    });
    expect(byVerification(made.find((m) => m.channel === "EMAIL")!.id)).toMatchObject({ to: "a***@example.com", country: null, price: null, converted: false });
    expect(JSON.stringify(all)).not.toContain("7400123401");

    const ids = async (filter: Record<string, unknown>) => (await attempts(filter, 500)).items.map((a) => a.verificationId).sort();
    const expected = (pred: (m: (typeof made)[number]) => boolean) => made.filter(pred).map((m) => m.id).sort();
    expect(await ids({ country: "gb" })).toEqual(expected((m) => m.country === "GB"));
    expect(await ids({ channel: "VOICE" })).toEqual(expected((m) => m.channel === "VOICE"));
    expect(await ids({ channel: "VOICE", country: "DE" })).toEqual(expected((m) => m.channel === "VOICE" && m.country === "DE"));
    expect(await ids({ converted: true })).toEqual([estimate.id]);
    expect(await ids({ converted: false })).toEqual(expected((m) => !m.converted));
    // A full number in any common format matches exactly that number's attempts; a prefix matches nothing.
    expect(await ids({ destination: "+44 7400 123401" })).toEqual([estimate.id]);
    expect(await ids({ destination: "0044-7400-123401" })).toEqual([estimate.id]);
    expect(await ids({ destination: "ANN@example.com" })).toEqual(expected((m) => m.channel === "EMAIL"));
    expect(await ids({ destination: "+447400123499" })).toEqual([]);
    const sent = (await attempts({ status: "SENT", channel: "SMS" }, 500)).items;
    expect(sent.map((a) => a.verificationId)).toContain(estimate.id);
    expect(sent.every((a) => a.status === "SENT" && a.channel === "SMS")).toBe(true);
    expect(await ids({ to: started })).toEqual([]);
    expect(await ids({ from: started, to: new Date(Date.now() + 60_000).toISOString() })).toHaveLength(9);
    // A filtered page boundary: two pages of GB attempts, no repeats.
    const gb1 = await attempts({ country: "GB" }, 4);
    const gb2 = await attempts({ country: "GB" }, 4, gb1.next!);
    expect(gb2.next).toBeNull();
    expect(new Set([...gb1.items, ...gb2.items].map((a) => a.id)).size).toBe(made.filter((m) => m.country === "GB").length);
  });

  it("summarizes conversion, attempts and cost per currency, by the keys asked for", async () => {
    const range = { from: started, to: new Date(Date.now() + 60_000).toISOString() };
    // Every receipt in: the summary's figures are final.
    await eventually(async () => {
      const rows: any[] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE app_id = $1 AND channel = 'SMS' AND status = 'DELIVERED'`, [app.id]);
      return rows[0].n === 4 ? true : undefined;
    }, "Vonage's receipts");
    const summary = async (groupBy: string[] | null, key = app.key) => {
      const r = await q(key, SUMMARY, { ...range, groupBy });
      expect(r.errors).toBeUndefined();
      return r.data.verificationSummary as any[];
    };
    const byChannel = await summary(["CHANNEL"]);
    expect(byChannel).toEqual([
      { country: null, channel: "SMS", provider: null, day: null, verifications: 5, approved: 1, conversionRate: 0.2, attempts: 5, cost: [{ amount: "0.1749", currency: "EUR" }] },
      { country: null, channel: "VOICE", provider: null, day: null, verifications: 3, approved: 0, conversionRate: 0, attempts: 3, cost: [{ amount: "0.04", currency: "EUR" }, { amount: "0.026", currency: "USD" }] },
      { country: null, channel: "EMAIL", provider: null, day: null, verifications: 1, approved: 0, conversionRate: 0, attempts: 1, cost: [] },
    ]);
    const [total] = await summary(null);
    expect(total).toMatchObject({ verifications: 9, approved: 1, attempts: 9 });
    expect(total.conversionRate).toBeCloseTo(1 / 9, 10);
    expect(total.cost).toEqual([{ amount: "0.2149", currency: "EUR" }, { amount: "0.026", currency: "USD" }]);
    const byCountry = await summary(["COUNTRY", "PROVIDER"]);
    expect(byCountry.find((r) => r.country === "GB" && r.provider === "twilio")).toMatchObject({ verifications: 1, cost: [{ amount: "0.013", currency: "USD" }] });
    expect(byCountry.find((r) => r.country === "GB" && r.provider === "vonage")).toMatchObject({ verifications: 5, approved: 1, channel: null });
    const byDay = await summary(["DAY"]);
    expect(byDay.reduce((n, r) => n + r.verifications, 0)).toBe(9);
    for (const r of byDay) expect(r.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Nothing in the range: no rows by key, one empty row overall (its rate 0, not NaN).
    const empty = { from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z" };
    expect((await q(app.key, SUMMARY, { ...empty, groupBy: ["COUNTRY"] })).data.verificationSummary).toEqual([]);
    expect((await q(app.key, SUMMARY, { ...empty })).data.verificationSummary).toEqual([
      { country: null, channel: null, provider: null, day: null, verifications: 0, approved: 0, conversionRate: 0, attempts: 0, cost: [] },
    ]);

    // Another app's key sees none of it, by any route.
    const theirs = await q(other.key, ATTEMPTS, { filter: null, first: 500 });
    expect(theirs.data.verificationAttempts).toEqual({ items: [], next: null });
    expect((await q(other.key, ATTEMPTS, { filter: { destination: "+447400123401" } })).data.verificationAttempts.items).toEqual([]);
    expect((await summary(["CHANNEL"], other.key))).toEqual([]);
    expect((await summary(null, other.key))[0]).toMatchObject({ verifications: 0, attempts: 0, cost: [] });
    // A cursor from this app's pages leads the other app nowhere either.
    const mine = await attempts(null, 1);
    expect((await q(other.key, ATTEMPTS, { first: 5, after: mine.next })).data.verificationAttempts.items).toEqual([]);
    expect((await q(null as unknown as string, ATTEMPTS, { first: 5 })).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    // Rows past the retention window (RETENTION_DAYS, 90 by default) are not shown while they wait for deletion.
    await gw.app.db.ds.query(
      `WITH v AS (
         INSERT INTO verifications (id, app_id, channel, destination, destination_country, locale, code_length, status, max_attempts, expires_at, resend_available_at, created_at)
         VALUES (gen_random_uuid(), $1, 'SMS', '+447400123490', 'GB', 'en', 6, 'APPROVED', 5, now() - interval '91 days', now() - interval '91 days', now() - interval '91 days')
         RETURNING id, app_id, created_at)
       INSERT INTO deliveries (id, verification_id, app_id, channel, provider, provider_index, status, attempts, next_attempt_at, price_amount, price_currency, price_source, created_at)
       SELECT gen_random_uuid(), id, app_id, 'SMS', 'vonage', 0, 'DELIVERED', 1, created_at, 1, 'EUR', 'vendor', created_at FROM v`,
      [app.id],
    );
    const longAgo = new Date(Date.now() - 200 * 86_400_000).toISOString();
    expect((await attempts({ from: longAgo }, 500)).items).toHaveLength(9);
    expect(await attempts({ destination: "+447400123490" })).toEqual({ items: [], next: null });
    expect((await q(app.key, SUMMARY, { from: longAgo, to: range.to })).data.verificationSummary[0]).toMatchObject({ verifications: 9, cost: total.cost });
  });

  it("refuses bad arguments with BAD_USER_INPUT naming the field, and a bad PRICE_TABLE at start-up", async () => {
    const bad = async (query: string, variables: Record<string, unknown>, field: string) => {
      const r = await q(app.key, query, variables);
      expect(errorCode(r), JSON.stringify(variables)).toBe("BAD_USER_INPUT");
      expect(r.errors![0].extensions!.field).toBe(field);
      expect(r.data).toBeUndefined();
    };
    await bad(ATTEMPTS, { first: 501 }, "first");
    await bad(ATTEMPTS, { first: 0 }, "first");
    await bad(ATTEMPTS, { first: -5 }, "first");
    await bad(ATTEMPTS, { after: "not a cursor!" }, "after");
    await bad(ATTEMPTS, { after: Buffer.from('["1","x"]').toString("base64url") }, "after");
    await bad(ATTEMPTS, { after: Buffer.from("{}").toString("base64url") }, "after");
    await bad(ATTEMPTS, { filter: { country: "XX" } }, "filter.country");
    await bad(ATTEMPTS, { filter: { country: "GBR" } }, "filter.country");
    await bad(ATTEMPTS, { filter: { destination: "7400123401" } }, "filter.destination");
    await bad(ATTEMPTS, { filter: { destination: "not@an@address" } }, "filter.destination");
    await bad(ATTEMPTS, { filter: { from: started, to: started } }, "filter.from");
    await bad(SUMMARY, { from: started, to: "2020-01-01T00:00:00Z" }, "from");
    // An enum or type the schema doesn't know is refused by GraphQL itself.
    expect(errorCode(await q(app.key, SUMMARY, { from: started, to: started, groupBy: ["CITY"] }))).toBe("BAD_USER_INPUT");
    expect(errorCode(await q(app.key, ATTEMPTS, { filter: { channel: "FAX" } }))).toBe("BAD_USER_INPUT");

    writeFileSync(join(dir, "bad.json"), JSON.stringify([{ provider: "twilio", channel: "SMS", country: "US", amount: "cheap", currency: "USD" }]));
    const env = { ...gw.env, PRICE_TABLE: join(dir, "bad.json") };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/PRICE_TABLE\[0\] needs "amount"/);
    expect(() => loadConfig({ ...env, PRICE_TABLE: join(dir, "missing.json") })).toThrow(/PRICE_TABLE cannot be read \(ENOENT\)/);
  });
});
