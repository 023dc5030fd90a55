import "reflect-metadata";
import type { DataSource } from "typeorm";
import { summarize } from "../../server/src/attempts/summary-query";
import { createDataSource, migrate } from "../../server/src/db/data-source";
import { BOUNDED_PLAN, spendAndConversion } from "../../server/src/admin/spend/spend-conversion";
import { SpendKey } from "../../server/src/admin/spend/spend-keys";
import { rollAll } from "../../server/src/attempts/rollup/roll-hours";
import { createTestDatabase } from "../helpers/test-database";

/**
 * What "Spend & conversion" costs on a large table: N attempts (default a million) spread over
 * 30 days, 10 apps, 20 countries, two providers in two currencies, a third of them verified; then
 * the report (all apps and one app; totals plus a grouping) timed for 24 hours, 7 and 30 days.
 * `node dist/test/bench/spend-report.js [attempts] [--explain]` — a throwaway database, dropped at the end.
 */
async function main() {
  const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const db = await createTestDatabase();
  const ds = createDataSource(db.url, 4);
  try {
    await ds.initialize();
    await migrate(ds);
    const seedStart = Date.now();
    // A bulk load of the past, as a restore: the rollup's dirty-hour triggers off (rolled below).
    const seed = await ds.createQueryRunner();
    await seed.query(`SET session_replication_role = replica`);
    await seed.query(`INSERT INTO apps (id, name, settings) SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, 'App ' || i, '{}' FROM generate_series(0, 9) i`);
    await seed.query(
      `INSERT INTO verifications (id, app_id, channel, destination, destination_country, locale, code_length, max_attempts, status, expires_at, resend_available_at, created_at, updated_at)
       SELECT ('10000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, ('00000000-0000-4000-8000-' || lpad((i % 10)::text, 12, '0'))::uuid,
              'SMS', '+1415' || lpad(i::text, 7, '0'), (ARRAY['US','GB','FR','DE','ES','IT','NL','BE','PL','SE','NO','DK','FI','IE','PT','AT','CH','CZ','RO','GR'])[1 + i % 20],
              'en', 6, 5, CASE WHEN i % 3 = 0 THEN 'APPROVED' ELSE 'EXPIRED' END, t + interval '10 minutes', t, t, t
         FROM (SELECT i, now() - (i::double precision / $1) * interval '30 days' AS t FROM generate_series(1, $1) i) s`,
      [n],
    );
    await seed.query(
      `INSERT INTO deliveries (id, verification_id, app_id, channel, provider, status, price_amount, price_currency, price_source, created_at, updated_at, next_attempt_at)
       SELECT ('20000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, v.id, v.app_id, 'SMS', CASE WHEN i % 2 = 0 THEN 'twilio' ELSE 'vonage' END, 'DELIVERED',
              CASE WHEN i % 2 = 0 THEN 0.0079 ELSE 0.0600 END, CASE WHEN i % 2 = 0 THEN 'USD' ELSE 'EUR' END, 'vendor', v.created_at, v.created_at, v.created_at
         FROM (SELECT id, app_id, created_at, row_number() OVER () AS i FROM verifications) v`,
    );
    await ds.query(`ANALYZE verifications; ANALYZE deliveries`);
    await seed.release();
    console.log(`seeded ${n} attempts in ${((Date.now() - seedStart) / 1000).toFixed(0)} s`);
    const rollStart = Date.now();
    console.log(`rolled up ${await rollAll(ds)} hours in ${((Date.now() - rollStart) / 1000).toFixed(0)} s`);
    await ds.query(`ANALYZE attempt_rollup`);
    const app = "00000000-0000-4000-8000-000000000003";
    if (process.argv.includes("--explain")) await explain(ds, app);
    for (const days of [1, 7, 30]) {
      for (const appId of [null, app]) {
        const to = new Date();
        const from = new Date(to.getTime() - days * 86_400_000);
        const times: number[] = [];
        let report;
        for (let run = 0; run < 3; run++) {
          const t0 = process.hrtime.bigint();
          report = await spendAndConversion(ds, { from, to, appId, groupBy: [SpendKey.COUNTRY] });
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
        const median = times.sort((a, b) => a - b)[1];
        console.log(`${days} d, ${appId ? "one app" : "all apps"}: ${report!.totals.attempts} attempts, ${report!.rows.length} countries — median ${median.toFixed(0)} ms of 3`);
      }
    }
  } finally {
    await ds.destroy().catch(() => undefined);
    await db.drop();
  }
}

/** The plans of one day's statements, as `summarize` runs them (recorded, then explained with their timings). */
async function explain(ds: DataSource, app: string) {
  for (const appId of [null, app]) {
    const seen: Array<[string, unknown[]]> = [];
    const to = new Date();
    await summarize({ query: async (sql: string, params: unknown[]) => (seen.push([sql, params]), []) } as unknown as DataSource, { appId, from: new Date(to.getTime() - 86_400_000), to, groupBy: ["COUNTRY"] });
    for (const [sql, params] of seen) {
      const plan = await ds.transaction(async (m) => {
        for (const setting of BOUNDED_PLAN) await m.query(setting);
        return (await m.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)).map((r: any) => r["QUERY PLAN"]).join("\n");
      });
      console.log(plan);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
