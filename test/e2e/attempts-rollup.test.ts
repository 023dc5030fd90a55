import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import { createDataSource, migrate } from "../../server/src/db/data-source";
import { summarize, type SummaryKey, type SummaryQuery, type SummaryRowView } from "../../server/src/attempts/summary-query";
import { rebuildRollup, rollAll, rollPass } from "../../server/src/attempts/rollup/roll-hours";
import { summarizeByFullScan } from "../helpers/summary-reference";
import { createTestDatabase } from "../helpers/test-database";

const HOUR = 3_600_000;
const MINUTE = 60_000;
const COUNTRIES = ["US", "FR", "DE", null];
const ROUTES: Array<[channel: string, provider: string, currency: string | null]> = [
  ["SMS", "twilio", "USD"], ["SMS", "vonage", "EUR"], ["VOICE", "twilio", "USD"], ["WHATSAPP", "meta", "EUR"], ["EMAIL", "smtp", null],
];
const STATUSES = ["DELIVERED", "DELIVERED", "SENT", "UNDELIVERED", "FAILED", "QUEUED"];
/** Each of the eight first-mask bits (none, DAY, CHANNEL, PROVIDER and their combinations) at least once, with COUNTRY and APP. */
const GROUPINGS: SummaryKey[][] = [[], ["COUNTRY", "DAY"], ["CHANNEL"], ["PROVIDER", "APP"], ["DAY", "CHANNEL"], ["DAY", "PROVIDER"], ["CHANNEL", "PROVIDER"], ["DAY", "COUNTRY", "CHANNEL", "PROVIDER"]];

/** Rows in one order whatever the ties (the product sorts by day, size and key; apps may tie). */
const canonical = (rows: SummaryRowView[]) => rows.map((r) => ({ ...r, appId: r.appId ?? null })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * verificationSummary and the dashboard's report from the hourly rollup plus the live edges must
 * answer exactly what the full query over every attempt answered (test/helpers/summary-reference.ts):
 * seeded traffic of two apps over three days — resends across hour and day boundaries, fallbacks,
 * failovers, three currencies and none, every delivery status — compared over periods that start
 * and end on and off the hour, inside a verification's attempts, with and without the retention
 * window; then after late changes to rolled hours (a status report, a price, an approval, a late
 * delivery, a failover, a deletion), before and after the roller's next pass.
 */
describe("attempt summaries from the hourly rollup", () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const apps: string[] = [];
  const now = Date.now();
  const base = Math.floor(now / HOUR) * HOUR - 72 * HOUR;
  /** [verification id, its deliveries' ids and moments] for the late changes. */
  const seeded: Array<{ id: string; deliveries: Array<{ id: string; at: number }> }> = [];

  const periods = (): Array<[number, number]> => [
    [base, now + HOUR],
    [base + 5 * HOUR, base + 29 * HOUR],
    [base + 5 * HOUR + 17 * MINUTE, base + 47 * HOUR + 3 * MINUTE],
    [base + 24 * HOUR, now],
    [base + 30 * HOUR + 1, now - 2 * HOUR],
    [base + 61 * HOUR + 59 * MINUTE, now + 1],
    // Nothing in it: no rows by key, one row of zeros overall.
    [base - 5 * HOUR, base - 2 * HOUR],
  ];

  async function expectSameAnswers(label: string) {
    const queries: SummaryQuery[] = [];
    for (const [from, to] of periods()) {
      GROUPINGS.forEach((groupBy, i) => queries.push({ appId: i % 2 ? apps[0] : null, from: new Date(from), to: new Date(to), groupBy }));
    }
    // The client API's retention window cuts the period inside an hour.
    for (const retentionDays of [1, 2]) queries.push({ appId: apps[1], from: new Date(base), to: new Date(now + HOUR), groupBy: ["DAY", "CHANNEL"], retentionDays });
    for (const q of queries) {
      const [got, want] = [await summarize(ds, q), await summarizeByFullScan(ds, q)];
      expect(canonical(got), `${label}: ${JSON.stringify(q)}`).toEqual(canonical(want));
    }
    return queries.length;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = createDataSource(db.url, 4);
    await ds.initialize();
    await migrate(ds);
    for (const name of ["Shop", "Games"]) apps.push((await ds.query(`INSERT INTO apps (name) VALUES ($1) RETURNING id`, [name]))[0].id);
    // A fixed pseudo-random walk: the same traffic on every run.
    let seed = 7;
    const vRows: unknown[] = [];
    const dRows: unknown[] = [];
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 240; i++) {
      const id = randomUUID();
      const appId = apps[rand(3) === 0 ? 1 : 0];
      const country = COUNTRIES[rand(COUNTRIES.length)];
      // Clustered on some hours' ends, so resends cross hour (and day) boundaries.
      const at = base + rand(72) * HOUR + (rand(2) ? 50 + rand(10) : rand(60)) * MINUTE + rand(60_000);
      const [channel] = ROUTES[rand(ROUTES.length)];
      const status = rand(5) < 3 ? "APPROVED" : rand(2) ? "EXPIRED" : "PENDING";
      vRows.push({ id, app_id: appId, channel, destination: channel === "EMAIL" ? `u${i}@example.com` : `+1415555${String(1000 + i)}`, country, status, at: new Date(at) });
      const deliveries: Array<{ id: string; at: number }> = [];
      let t = at;
      // One to four attempts: a resend minutes later, a fallback on another channel, a failover to another provider.
      for (let k = 0, n = 1 + (rand(3) === 0 ? 1 + rand(3) : 0); k < n && t < now; k++) {
        const [ch, provider, currency] = k === 0 ? ROUTES.find((r) => r[0] === channel)! : ROUTES[rand(ROUTES.length)];
        const did = randomUUID();
        const priced = currency && rand(6) > 0;
        dRows.push({
          id: did, verification_id: id, app_id: appId, channel: ch, provider, status: STATUSES[rand(STATUSES.length)],
          amount: priced ? (0.005 + rand(100) / 1000).toFixed(4) : null, currency: priced ? currency : null, at: new Date(t),
        });
        deliveries.push({ id: did, at: t });
        t += (1 + rand(rand(4) === 0 ? 150 : 20)) * MINUTE;
      }
      seeded.push({ id, deliveries });
    }
    await ds.query(
      `INSERT INTO verifications (id, app_id, channel, destination, destination_country, locale, code_length, max_attempts, status, expires_at, resend_available_at, created_at, updated_at)
       SELECT id, app_id, channel, destination, country, 'en', 6, 5, status, at + interval '3 hours', at, at, at
         FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, app_id uuid, channel text, destination text, country text, status text, at timestamptz)`,
      [JSON.stringify(vRows)],
    );
    await ds.query(
      `INSERT INTO deliveries (id, verification_id, app_id, channel, provider, status, price_amount, price_currency, price_source, created_at, updated_at, next_attempt_at)
       SELECT id, verification_id, app_id, channel, provider, status, amount, currency, CASE WHEN amount IS NOT NULL THEN 'vendor' END, at, at, at
         FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, verification_id uuid, app_id uuid, channel text, provider text, status text, amount numeric, currency text, at timestamptz)`,
      [JSON.stringify(dRows)],
    );
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it("answers as the full query before any hour is rolled, once all are, and reads the rolled hours from the rollup", async () => {
    await expectSameAnswers("nothing rolled");
    const rolled = await rollAll(ds);
    // Three days of closed hours (within a minute of an hour's start, the hour just ended isn't closed yet).
    expect(rolled).toBeGreaterThanOrEqual(71);
    expect(await ds.query(`SELECT * FROM attempt_rollup_dirty`)).toEqual([]);
    // Verifications with attempts in several hours are known, so a period can start among them.
    expect(Number((await ds.query(`SELECT count(*) FROM attempt_rollup_spans`))[0].count)).toBeGreaterThan(5);
    const compared = await expectSameAnswers("all rolled");
    expect(compared).toBeGreaterThan(50);

    // Proof that the rolled hours are read from the rollup, not the attempts: a rollup row changed by hand shows.
    await ds.query(`UPDATE attempt_rollup SET attempts = attempts + 1000 WHERE hour = $1`, [new Date(base + 10 * HOUR)]);
    const q: SummaryQuery = { appId: null, from: new Date(base), to: new Date(base + 24 * HOUR), groupBy: [] };
    const [tampered, reference] = [await summarize(ds, q), await summarizeByFullScan(ds, q)];
    expect(tampered[0].attempts - reference[0].attempts).toBeGreaterThanOrEqual(1000);
    // The rebuild (the CLI's `attempts rollup --rebuild`) puts it right.
    await rebuildRollup(ds);
    expect(await summarize(ds, q)).toEqual(reference);
  });

  it("after late changes to rolled hours: read live while dirty, then rolled again with the same answers", async () => {
    await rollAll(ds);
    const past = seeded.filter((v) => v.deliveries[0].at < now - 3 * HOUR);
    const [late, priced, approved, failover, fallback, gone] = [past[3], past[11], past[20], past[31], past[42], past[57]];
    // A status report arriving hours later, and a price reported after the hour was rolled.
    await ds.query(`UPDATE deliveries SET status = 'DELIVERED' WHERE id = $1 AND status <> 'DELIVERED'`, [late.deliveries[0].id]);
    await ds.query(`UPDATE deliveries SET status = 'SENT', price_amount = 0.5, price_currency = 'GBP' WHERE id = $1`, [priced.deliveries[0].id]);
    // Approved after its attempts' hours: it converts in those hours (the attempts' moments, as before).
    await ds.query(`UPDATE verifications SET status = CASE WHEN status = 'APPROVED' THEN 'EXPIRED' ELSE 'APPROVED' END WHERE id = $1`, [approved.id]);
    // A failover rewrites a delivery's provider; a fallback delivery commits late into a past hour.
    await ds.query(`UPDATE deliveries SET provider = 'vonage', channel = 'SMS' WHERE id = $1`, [failover.deliveries[0].id]);
    await ds.query(
      `INSERT INTO deliveries (id, verification_id, app_id, channel, provider, status, price_amount, price_currency, created_at, updated_at, next_attempt_at)
       SELECT $1, v.id, v.app_id, 'VOICE', 'twilio', 'DELIVERED', 0.02, 'USD', $3, $3, $3 FROM verifications v WHERE v.id = $2`,
      [randomUUID(), fallback.id, new Date(fallback.deliveries[0].at - 30 * MINUTE)],
    );
    // Retention deleting a verification with its attempts.
    await ds.query(`DELETE FROM deliveries WHERE verification_id = $1`, [gone.id]);
    await ds.query(`DELETE FROM verifications WHERE id = $1`, [gone.id]);

    const dirty = (await ds.query(`SELECT hour FROM attempt_rollup_dirty`)).map((r: { hour: Date }) => r.hour.getTime());
    const hourOf = (t: number) => Math.floor(t / HOUR) * HOUR;
    for (const v of [late, priced, approved, failover, gone]) expect(dirty).toContain(hourOf(v.deliveries[0].at));
    expect(dirty).toContain(hourOf(fallback.deliveries[0].at - 30 * MINUTE));
    await expectSameAnswers("dirty hours read live");

    const pass = await rollPass(ds);
    expect(pass?.rerolled).toBe(dirty.length);
    expect(await ds.query(`SELECT * FROM attempt_rollup_dirty`)).toEqual([]);
    await expectSameAnswers("rolled again");
  });
});
