/**
 * `npm run bench:attempts`: what verificationAttempts and verificationSummary cost on a million
 * attempts. Seeds one database (migrated as the gateway migrates it) with 1,000,000 verifications
 * and 1,000,000 deliveries over 90 days in one SQL statement each (generate_series), 80 % of them
 * one app's, then times the product's own query functions (listAttempts, summarize) and prints
 * each one's EXPLAIN (ANALYZE, BUFFERS) plan. Figures go to docs/benchmark.md by hand.
 */
import { Client } from "pg";
import pino from "pino";
import type { DataSource } from "typeorm";
import { loadConfig } from "../../server/src/config/config";
import { openDatabase } from "../../server/src/db/open-database";
import { decodeCursor } from "../../server/src/attempts/attempt-cursor";
import { listAttempts, type AttemptQueryFilter } from "../../server/src/attempts/attempts-query";
import { SUMMARY_PLAN, summarize, summarizeBounded, type SummaryKey, type SummaryQuery } from "../../server/src/attempts/summary-query";
import { createDataSource } from "../../server/src/db/data-source";
import { rollAll, rollPass } from "../../server/src/attempts/rollup/roll-hours";
import { summarizeByFullScan } from "../helpers/summary-reference";
import { createTestDatabase } from "../helpers/test-database";

const ROWS = Number(process.env.BENCH_ATTEMPTS_ROWS ?? 1_000_000);
const MAIN_APP = "00000000-0000-4000-8000-000000000001";
const log = (m: string) => process.stderr.write(`[bench:attempts] ${m}\n`);

/** A DataSource as far as the query functions need one, remembering the last statement for EXPLAIN. */
function recordingSource(c: Client): { ds: DataSource; last: () => { sql: string; params: unknown[] } } {
  let last = { sql: "", params: [] as unknown[] };
  const ds = {
    query: async (sql: string, params: unknown[] = []) => {
      last = { sql, params };
      return (await c.query(sql, params)).rows;
    },
  } as unknown as DataSource;
  return { ds, last: () => last };
}

async function seed(c: Client): Promise<void> {
  const t0 = Date.now();
  // A bulk load of the past: the rollup's row triggers (dirty marks for past hours) are off for
  // it, as for a restore; the hours are rolled afterwards, as the worker's first run would.
  await c.query(`SET session_replication_role = replica`);
  await c.query(`INSERT INTO apps (id, name) SELECT ('00000000-0000-4000-8000-00000000000' || g)::uuid, 'bench ' || g FROM generate_series(1, 5) g`);
  // Apps: 80 % the main one. Channels 70 % SMS, 20 % VOICE, 10 % EMAIL; 20 countries; 60 % approved;
  // 200,000 distinct numbers (about five verifications each); created evenly over 90 days.
  await c.query(`
    INSERT INTO verifications (id, app_id, channel, destination, destination_country, locale, code_length, status, max_attempts, send_count,
                               expires_at, resend_available_at, created_at, updated_at)
    SELECT md5('v' || g)::uuid,
           CASE WHEN g % 10 < 8 THEN '${MAIN_APP}'::uuid ELSE ('00000000-0000-4000-8000-00000000000' || (2 + g % 4))::uuid END,
           c.channel,
           CASE WHEN c.channel = 'EMAIL' THEN 'user' || (g % 200000) || '@example.com' ELSE '+4474' || lpad((g % 200000)::text, 8, '0') END,
           CASE WHEN c.channel = 'EMAIL' THEN NULL ELSE (ARRAY['US','GB','DE','FR','ES','IT','NL','BR','MX','IN','ID','NG','PH','VN','TR','PL','SE','CA','AU','JP'])[1 + (g * 7) % 20] END,
           'en', 6,
           CASE WHEN (g * 13) % 10 < 6 THEN 'APPROVED' ELSE 'EXPIRED' END, 5, 1,
           ts + interval '5 minutes', ts, ts, ts
      FROM generate_series(1, ${ROWS}) g,
           LATERAL (SELECT now() - (g::float8 / ${ROWS}) * interval '90 days' AS ts) t,
           LATERAL (SELECT CASE WHEN (g * 3) % 10 < 7 THEN 'SMS' WHEN (g * 3) % 10 < 9 THEN 'VOICE' ELSE 'EMAIL' END AS channel) c`);
  log(`verifications: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  // One delivery each; SMS through twilio or vonage, priced per row (USD for twilio, EUR for vonage), 5 % unpriced.
  await c.query(`
    INSERT INTO deliveries (id, verification_id, app_id, channel, provider, provider_index, status, provider_message_id, attempts,
                            next_attempt_at, price_amount, price_currency, price_source, created_at, updated_at)
    SELECT md5('d' || v.id)::uuid, v.id, v.app_id, v.channel, p.provider, 0,
           CASE WHEN h % 20 = 0 THEN 'FAILED' WHEN h % 20 = 1 THEN 'UNDELIVERED' WHEN h % 20 < 6 THEN 'SENT' ELSE 'DELIVERED' END,
           CASE WHEN h % 20 = 0 THEN NULL ELSE 'm' || v.id END, 1, v.created_at,
           CASE WHEN h % 20 IN (0, 19) OR v.channel = 'EMAIL' THEN NULL ELSE 0.005 + (h % 100) / 10000.0 END,
           CASE WHEN h % 20 IN (0, 19) OR v.channel = 'EMAIL' THEN NULL WHEN p.provider = 'vonage' THEN 'EUR' ELSE 'USD' END,
           CASE WHEN h % 20 IN (0, 19) OR v.channel = 'EMAIL' THEN NULL ELSE 'vendor' END,
           v.created_at, v.created_at
      FROM verifications v,
           LATERAL (SELECT abs(hashtext(v.id::text)) AS h) x,
           LATERAL (SELECT CASE WHEN v.channel = 'EMAIL' THEN 'smtp' WHEN v.channel = 'VOICE' THEN 'twilio' WHEN h % 2 = 0 THEN 'twilio' ELSE 'vonage' END AS provider) p`);
  log(`deliveries: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await c.query(`RESET session_replication_role`);
  await c.query("VACUUM ANALYZE verifications");
  await c.query("VACUUM ANALYZE deliveries");
}

interface Figure { name: string; rows: number; medianMs: number; p95Ms: number; plan: string }

async function measure(name: string, run: () => Promise<number>, explain: () => Promise<string>, runs = 15): Promise<Figure> {
  await run(); // warm
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    rows = await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const figure = { name, rows, medianMs: times[Math.floor(times.length / 2)], p95Ms: times[Math.ceil(times.length * 0.95) - 1], plan: await explain() };
  log(`${name}: ${rows} rows, median ${figure.medianMs.toFixed(1)} ms, p95 ${figure.p95Ms.toFixed(1)} ms`);
  return figure;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const opened = await openDatabase(loadConfig({ DATABASE_URL: db.url, OTP_SECRET: "bench-secret-bench-secret-bench-secret-0123" }), pino({ level: "silent" }), { migrate: true });
  await opened.close();
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    log(`seeding ${ROWS.toLocaleString("en")} verifications and deliveries`);
    await seed(c);
    const { ds, last } = recordingSource(c);
    const explain = async () => {
      const { sql, params } = last();
      const rows = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      return rows.rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
    };
    const page = (filter: AttemptQueryFilter, after: string | null = null, first = 50) => async () =>
      (await listAttempts(ds, { appId: MAIN_APP, filter, first, after: after ? decodeCursor(after) : null, retentionDays: 90 })).items.length;
    const figures: Figure[] = [];
    figures.push(await measure("first page (50), no filter", page({}), explain));
    figures.push(await measure("first page, country DE", page({ country: "DE" }), explain));
    figures.push(await measure("first page, channel VOICE + converted false", page({ channel: "VOICE" as never, converted: false }), explain));
    figures.push(await measure("first page, status UNDELIVERED + country JP", page({ status: "UNDELIVERED" as never, country: "JP" }), explain));
    figures.push(await measure("first page, destination (exact number)", page({ destination: "+447400012345" }), explain));
    figures.push(await measure("first page, last 24 h of a 30-day-old window", page({ from: new Date(Date.now() - 31 * 86_400_000), to: new Date(Date.now() - 30 * 86_400_000) }), explain));
    // The cursor of the 400,000th attempt (half the app's), as a client paging that deep would hold.
    const [deep] = (await c.query(
      `SELECT (extract(epoch FROM created_at) * 1000000)::bigint::text AS micros, id FROM deliveries WHERE app_id = $1 ORDER BY created_at DESC, id DESC OFFSET 400000 LIMIT 1`, [MAIN_APP])).rows;
    const cursor = Buffer.from(JSON.stringify([deep.micros, deep.id])).toString("base64url");
    figures.push(await measure("deep page (after the 400,000th attempt)", page({}, cursor), explain));
    figures.push(await measure("deep page, country DE", page({ country: "DE" }, cursor), explain));
    // Before: the full query the summary ran until the rollup (the tests' reference now).
    const summary = (appId: string | null, days: number, groupBy: SummaryKey[], run = summarize) => async () =>
      (await run(ds, { appId, from: new Date(Date.now() - days * 86_400_000), to: new Date(), groupBy, retentionDays: 90 })).length;
    if (!process.argv.includes("--no-before")) {
      figures.push(await measure("before: summary, 30 days by COUNTRY, CHANNEL (one app)", summary(MAIN_APP, 30, ["COUNTRY", "CHANNEL"], summarizeByFullScan), explain, 5));
      figures.push(await measure("before: summary, 1 day by COUNTRY (one app)", summary(MAIN_APP, 1, ["COUNTRY"], summarizeByFullScan), explain, 5));
      figures.push(await measure("before: summary, 30 days by COUNTRY, CHANNEL, PROVIDER (all apps)", summary(null, 30, ["COUNTRY", "CHANNEL", "PROVIDER"], summarizeByFullScan), explain, 5));
    }
    // The worker's first run over the seeded 90 days, then what one pass over one changed hour costs.
    const typed = createDataSource(db.url, 2);
    await typed.initialize();
    let t = performance.now();
    const hours = await rollAll(typed);
    log(`rollup of ${hours} hours: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    await c.query(`INSERT INTO attempt_rollup_dirty (hour) VALUES (date_trunc('hour', now(), 'UTC') - interval '3 hours')`);
    t = performance.now();
    await rollPass(typed);
    const rerollMs = performance.now() - t;
    log(`one dirty hour rolled again: ${rerollMs.toFixed(0)} ms`);
    await c.query("VACUUM ANALYZE attempt_rollup");
    // After: as the client API runs it (summarizeBounded: its own transaction with SUMMARY_PLAN).
    let lastQuery: SummaryQuery | null = null;
    const rolled = (appId: string | null, days: number, groupBy: SummaryKey[]) => async () => {
      lastQuery = { appId, from: new Date(Date.now() - days * 86_400_000), to: new Date(), groupBy, retentionDays: 90 };
      return (await summarizeBounded(typed, lastQuery)).length;
    };
    const explainRolled = async () => {
      const seen: Array<[string, unknown[]]> = [];
      await summarize({ query: async (sql: string, params: unknown[]) => (seen.push([sql, params]), []) } as unknown as DataSource, lastQuery!);
      return typed.transaction(async (m) => {
        for (const setting of SUMMARY_PLAN) await m.query(setting);
        return (await m.query(`EXPLAIN (ANALYZE, BUFFERS) ${seen[0][0]}`, seen[0][1])).map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
      });
    };
    figures.push(await measure("summary, 30 days by COUNTRY, CHANNEL (one app)", rolled(MAIN_APP, 30, ["COUNTRY", "CHANNEL"]), explainRolled, 15));
    figures.push(await measure("summary, 1 day by COUNTRY (one app)", rolled(MAIN_APP, 1, ["COUNTRY"]), explainRolled, 15));
    figures.push(await measure("summary, 30 days by COUNTRY, CHANNEL, PROVIDER (all apps)", rolled(null, 30, ["COUNTRY", "CHANNEL", "PROVIDER"]), explainRolled, 15));
    figures.push(await measure("summary, 90 days by DAY, COUNTRY (one app)", rolled(MAIN_APP, 90, ["DAY", "COUNTRY"]), explainRolled, 15));
    await typed.destroy();
    const counts = (await c.query(`SELECT count(*) FILTER (WHERE app_id = $1)::int AS main, count(*)::int AS total FROM deliveries`, [MAIN_APP])).rows[0];
    process.stdout.write(`\n${counts.total.toLocaleString("en")} attempts, ${counts.main.toLocaleString("en")} of them the measured app's; Postgres ${(await c.query("SHOW server_version")).rows[0].server_version}\n\n`);
    process.stdout.write(`| query | rows | median | p95 |\n|---|---:|---:|---:|\n`);
    for (const f of figures) process.stdout.write(`| ${f.name} | ${f.rows} | ${f.medianMs.toFixed(1)} ms | ${f.p95Ms.toFixed(1)} ms |\n`);
    for (const f of figures) process.stdout.write(`\n### ${f.name}\n\n${f.plan}\n`);
  } finally {
    await c.end();
    await db.drop();
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
