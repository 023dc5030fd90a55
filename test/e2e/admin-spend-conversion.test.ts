import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient, createStaff } from "../helpers/admin";
import { startGateway, type TestGateway } from "../helpers/gateway";
import { errorCode } from "../helpers/graphql-client";
import { eventually } from "../helpers/codes";
import { seedSpendDay } from "../helpers/spend-fixture";
import type { DataSource } from "typeorm";
import { summarize, type SummaryKey } from "../../server/src/attempts/summary-query";
import { BOUNDED_PLAN } from "../../server/src/admin/spend/spend-conversion";

const ROW = `country channel provider appId appName day verifications approved conversionRate attempts pricedAttempts
  cost { amount currency } costPerVerified { amount currency } spendWithoutConversion`;
const REPORT = `query($from: DateTime!, $to: DateTime!, $appId: ID, $groupBy: [SpendKey!]) {
  spendAndConversion(from: $from, to: $to, appId: $appId, groupBy: $groupBy) { appId groupBy lowConversionThreshold totals { ${ROW} } rows { ${ROW} } } }`;

/**
 * "Spend & conversion" in the admin API, on one seeded day of two apps: currencies kept apart
 * (never added), conversion 0 where nobody converted and that country flagged, the period's
 * bounds ([from, to)), the per-app view, grouping by delivery keys, coded refusals, ADMIN only,
 * and the period served by an index.
 */
describe("admin API: spend and conversion", () => {
  let gw: TestGateway;
  let admin: AdminClient;
  let support: AdminClient;
  let shop: { id: string };
  let games: { id: string };
  // A past UTC day, clear of the retention window.
  const from = new Date(Date.UTC(2026, 0, 1) + Math.floor((Date.now() - 5 * 86_400_000 - Date.UTC(2026, 0, 1)) / 86_400_000) * 86_400_000);
  const to = new Date(from.getTime() + 86_400_000);
  const report = async (vars: Record<string, unknown> = {}, client = admin) => client.gql(REPORT, { from: from.toISOString(), to: to.toISOString(), ...vars });
  const ok = async (vars: Record<string, unknown> = {}) => {
    const r = await report(vars);
    expect(r.errors).toBeUndefined();
    return r.data.spendAndConversion;
  };

  beforeAll(async () => {
    gw = await startGateway();
    shop = await gw.createApp({ name: "Shop" });
    games = await gw.createApp({ name: "Games" });
    await seedSpendDay(gw.app.db.ds, shop.id, games.id, from);
    await createStaff(gw, "lead@example.com", "ADMIN");
    await createStaff(gw, "agent@example.com", "SUPPORT");
    admin = await AdminClient.signedIn(gw.url, "lead@example.com");
    support = await AdminClient.signedIn(gw.url, "agent@example.com");
  });
  afterAll(() => gw?.stop());

  it("totals keep currencies apart, count only the period [from, to), and divide cost by the verified", async () => {
    const r = await ok();
    expect(r.totals).toMatchObject({
      verifications: 8, approved: 5, conversionRate: 5 / 8, attempts: 8, pricedAttempts: 7,
      cost: [{ amount: "0.17", currency: "EUR" }, { amount: "0.0337", currency: "USD" }],
      costPerVerified: [{ amount: "0.034", currency: "EUR" }, { amount: "0.00674", currency: "USD" }],
      spendWithoutConversion: false,
    });
    expect(r.lowConversionThreshold).toBe(0.1);
    expect(r.rows).toEqual([]);
    // One millisecond earlier takes in the 5 USD row; the 7 EUR row at `to` stays out until `to` moves.
    const wider = await ok({ from: new Date(from.getTime() - 1).toISOString(), to: new Date(to.getTime() + 1).toISOString() });
    expect(wider.totals).toMatchObject({ verifications: 10, cost: [{ amount: "7.17", currency: "EUR" }, { amount: "5.0337", currency: "USD" }] });
  });

  it("by country: the country with spend and no conversion has conversion 0, no cost per verified user, and is flagged", async () => {
    const r = await ok({ groupBy: ["COUNTRY"] });
    const by = Object.fromEntries(r.rows.map((x: any) => [x.country ?? "none", x]));
    expect(Object.keys(by).sort()).toEqual(["FR", "US", "none"]);
    expect(by.US).toMatchObject({ verifications: 5, approved: 4, conversionRate: 0.8, cost: [{ amount: "0.05", currency: "EUR" }, { amount: "0.0337", currency: "USD" }], spendWithoutConversion: false });
    expect(by.US.costPerVerified).toEqual([{ amount: "0.0125", currency: "EUR" }, { amount: "0.008425", currency: "USD" }]);
    expect(by.FR).toMatchObject({ verifications: 2, approved: 0, conversionRate: 0, cost: [{ amount: "0.12", currency: "EUR" }], costPerVerified: [], spendWithoutConversion: true });
    // Verified e-mail with no price: nothing spent, nothing flagged.
    expect(by.none).toMatchObject({ verifications: 1, approved: 1, conversionRate: 1, cost: [], costPerVerified: [], spendWithoutConversion: false });
    // The busiest country first.
    expect(r.rows[0].country).toBe("US");
  });

  it("per app: the filter narrows everything to one app; grouped by app, each row carries its name", async () => {
    const shopOnly = await ok({ appId: shop.id, groupBy: ["PROVIDER"] });
    expect(shopOnly.appId).toBe(shop.id);
    expect(shopOnly.totals).toMatchObject({ verifications: 6, approved: 3, cost: [{ amount: "0.17", currency: "EUR" }, { amount: "0.0237", currency: "USD" }] });
    const byProvider = Object.fromEntries(shopOnly.rows.map((x: any) => [x.provider, x]));
    // A verification counts under every provider it went through: the failover one under both (its
    // failed Twilio send is no attempt: it was never handed over).
    expect(byProvider.twilio).toMatchObject({ verifications: 4, approved: 3, attempts: 3, pricedAttempts: 3, cost: [{ amount: "0.0237", currency: "USD" }] });
    expect(byProvider.vonage).toMatchObject({ verifications: 3, approved: 1, conversionRate: 1 / 3, cost: [{ amount: "0.17", currency: "EUR" }], spendWithoutConversion: false });

    const byApp = await ok({ groupBy: ["APP"] });
    expect(byApp.rows.map((x: any) => [x.appName, x.verifications, x.approved])).toEqual([["Shop", 6, 3], ["Games", 2, 2]]);
    expect(byApp.rows[1]).toMatchObject({ appId: games.id, cost: [{ amount: "0.01", currency: "USD" }], costPerVerified: [{ amount: "0.005", currency: "USD" }] });
  });

  it("groups by channel, day and combined keys", async () => {
    const byChannel = await ok({ groupBy: ["CHANNEL"] });
    expect(byChannel.rows.map((x: any) => [x.channel, x.verifications, x.approved])).toEqual([["SMS", 7, 4], ["EMAIL", 1, 1]]);
    const byDay = await ok({ groupBy: ["DAY"] });
    expect(byDay.rows).toHaveLength(1);
    expect(byDay.rows[0]).toMatchObject({ day: from.toISOString().slice(0, 10), verifications: 8 });
    const both = await ok({ groupBy: ["COUNTRY", "PROVIDER"], appId: shop.id });
    const fr = both.rows.filter((x: any) => x.country === "FR");
    expect(fr).toEqual([expect.objectContaining({ provider: "vonage", verifications: 2, approved: 0, spendWithoutConversion: true })]);
  });

  it("an empty period is zeros, not an error", async () => {
    const r = await ok({ from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z", groupBy: ["COUNTRY"] });
    expect(r.totals).toMatchObject({ verifications: 0, approved: 0, conversionRate: 0, cost: [], costPerVerified: [], spendWithoutConversion: false });
    expect(r.rows).toEqual([]);
  });

  it.each([
    ["to before from", { to: new Date(from.getTime() - 1).toISOString() }, "to"],
    ["an empty period", { to: from.toISOString() }, "to"],
    ["more than 366 days", { from: "2024-01-01T00:00:00Z", to: "2025-01-02T00:00:01Z" }, "to"],
    ["an unknown app", { appId: "6f1c2a8e-0000-4000-8000-000000000000" }, "appId"],
    ["an app id that is no id", { appId: "shop" }, "appId"],
    ["a key twice", { groupBy: ["COUNTRY", "COUNTRY"] }, "groupBy"],
    ["four keys", { groupBy: ["COUNTRY", "CHANNEL", "PROVIDER", "DAY"] }, "groupBy"],
  ])("refuses %s with BAD_USER_INPUT naming the argument", async (_, vars, field) => {
    const r = await report(vars);
    expect(errorCode(r)).toBe("BAD_USER_INPUT");
    expect(r.errors![0].extensions!.field).toBe(field);
    expect(r.data?.spendAndConversion ?? null).toBeNull();
  });

  it("is ADMIN's: SUPPORT and no session are refused", async () => {
    expect(errorCode(await report({}, support))).toBe("FORBIDDEN");
    expect(errorCode(await report({}, new AdminClient(gw.url)))).toBe("UNAUTHENTICATED");
  });

  it("reads the period through an index on the attempts' created_at, with or without an app", async () => {
    const ds = gw.app.db.ds;
    for (const appId of [null, shop.id]) {
      for (const groupBy of [[], ["COUNTRY", "PROVIDER"], ["APP"]] as SummaryKey[][]) {
        // The statements the report runs, as it runs them (recorded, then explained on the real database).
        const seen: Array<[string, unknown[]]> = [];
        await summarize({ query: async (sql: string, params: unknown[]) => (seen.push([sql, params]), []) } as unknown as DataSource, { appId, from, to, groupBy });
        expect(seen.length).toBeGreaterThan(0);
        for (const [statement, params] of seen) {
          // As the report runs them (BOUNDED_PLAN), and with sequential scans priced out (a test's tables are
          // tiny, where a scan is cheapest): the planner must find an index whose condition is the period.
          // (Which index reaches the verifications depends on the statistics: on the bench's million rows
          // it is the primary key — `node dist/test/bench/spend-report.js --explain`; on a few rows, anything.)
          const plan = await ds.transaction(async (m) => {
            for (const setting of BOUNDED_PLAN) await m.query(setting);
            await m.query(`SET LOCAL enable_seqscan = off`);
            return (await m.query(`EXPLAIN ${statement}`, params)).map((r: any) => r["QUERY PLAN"]).join("\n");
          });
          expect(plan).toMatch(/Index (Only )?Scan[^\n]*deliveries[^\n]*\n[^\n]*Index Cond: [^\n]*created_at >=/);
          expect(plan).not.toMatch(/Seq Scan on (verifications|deliveries)/);
        }
      }
    }
  });

  it("the worker rolls the seeded day's hours up, and the report reads the same figures from them", async () => {
    const rolled = async () => (await gw.app.db.ds.query(`SELECT 1 FROM attempt_rollup_hours WHERE hour = $1 AND NOT EXISTS (SELECT 1 FROM attempt_rollup_dirty)`, [from])).length > 0;
    await eventually(async () => ((await rolled()) ? true : undefined), "the worker's rollup of the seeded day", 30_000);
    const rows: Array<{ n: number }> = await gw.app.db.ds.query(`SELECT sum(deliveries)::int AS n FROM attempt_rollup WHERE hour >= $1 AND hour < $2`, [from, to]);
    expect(rows[0].n).toBe(9);
    const r = await ok({ groupBy: ["COUNTRY"] });
    expect(r.totals).toMatchObject({ verifications: 8, approved: 5, attempts: 8, pricedAttempts: 7, cost: [{ amount: "0.17", currency: "EUR" }, { amount: "0.0337", currency: "USD" }] });
    expect(r.rows.find((x: any) => x.country === "FR")).toMatchObject({ verifications: 2, approved: 0, spendWithoutConversion: true });
  });
});
