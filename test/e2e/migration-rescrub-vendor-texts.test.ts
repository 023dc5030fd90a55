import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataSource } from "typeorm";
import { createDataSource, migrate } from "../../server/src/db/data-source";
import { migrations } from "../../server/src/db/migrations";
import { RescrubVendorTexts1764800000000 } from "../../server/src/db/migrations/1764800000000-RescrubVendorTexts";
import { createTestDatabase } from "../helpers/test-database";

const RAW = "The 'To' number +14155550123 is not a valid phone number.";
const SCRUBBED = "The 'To' number +1******0123 is not a valid phone number.";
const SMTP_RAW = "550 5.1.1 <jane.doe@example.com>: Recipient address rejected";
const SMTP_SCRUBBED = "550 5.1.1 <j***@example.com>: Recipient address rejected";
/** Texts without a destination: the migration must leave them exactly as they are. */
const CLEAN = "Twilio error 30003: Unreachable destination handset";

/**
 * Rows stored before vendor texts were scrubbed on the way in still quote destinations: the
 * RescrubVendorTexts migration re-scrubs them with the same function. A database migrated up to
 * the migration before it gets such rows (more attempts than one batch holds), then the real
 * start-up path (migrate) applies it.
 */
describe("migration RescrubVendorTexts: rows stored before scrubbing lose their destinations", () => {
  let db: { url: string; drop(): Promise<void> };
  let ds: DataSource;
  const ids = { verification: randomUUID(), raw: randomUUID(), clean: randomUUID(), deliveryEvent: randomUUID(), verificationEvent: randomUUID() };

  beforeAll(async () => {
    db = await createTestDatabase();
    const before = new DataSource({
      type: "postgres", url: db.url, migrationsTableName: "migrations",
      migrations: migrations.filter((m) => m !== RescrubVendorTexts1764800000000),
    });
    await before.initialize();
    await before.runMigrations({ transaction: "each" });
    const q = (sql: string, params: unknown[] = []) => before.query(sql, params);
    const [app] = await q(`INSERT INTO apps (name) VALUES ('Old rows') RETURNING id`);
    await q(
      `INSERT INTO verifications (id, app_id, channel, destination, locale, code_length, max_attempts, expires_at, resend_available_at)
       VALUES ($1, $2, 'SMS', '+14155550123', 'en', 6, 5, now(), now())`, [ids.verification, app.id]);
    await q(
      `INSERT INTO deliveries (id, verification_id, app_id, channel, provider, status, error_code, error_message, updated_at)
       VALUES ($1, $3, $4, 'SMS', 'twilio', 'FAILED', '21211', $5, now() - interval '3 days'),
              ($2, $3, $4, 'EMAIL', 'smtp', 'FAILED', '550', $6, now() - interval '3 days')`,
      [ids.raw, ids.clean, ids.verification, app.id, RAW, CLEAN]);
    // More raw attempts than one batch (1000) holds, a clean one and one without text among them.
    await q(
      `INSERT INTO delivery_attempts (delivery_id, provider, outcome, error_code, error_message, latency_ms)
       SELECT $1, 'twilio', 'FAILED', '21211', CASE WHEN i = 1500 THEN $3 WHEN i = 1501 THEN NULL WHEN i % 2 = 0 THEN $2 ELSE $4 END, 10
         FROM generate_series(1, 2100) i`, [ids.raw, RAW, CLEAN, SMTP_RAW]);
    await q(
      `INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source, error_code, error_message, raw) VALUES
         ($1, $2, 'FAILED', 'twilio', 'worker', '21211', $3, NULL),
         ($1, $2, 'UNDELIVERED', 'http', 'callback', 'ABSENT', $3, $4::jsonb),
         ($1, $2, 'UNDELIVERED', 'twilio', 'callback', '30003', $5, $6::jsonb)`,
      [ids.raw, ids.verification, RAW, JSON.stringify({ messageId: "hv_1", status: "undelivered", errorMessage: RAW }), CLEAN,
        JSON.stringify({ MessageSid: "SM1", To: "+14155550123", ErrorCode: "30003" })]);
    await q(
      `INSERT INTO early_status_callbacks (provider, provider_message_id, status, error_code, error_message, raw)
       VALUES ('messagebird', 'mb-1', 'UNDELIVERED', '27', $1, $2::jsonb)`,
      [SMTP_RAW, JSON.stringify({ id: "mb-1", statusReason: RAW, recipient: "14155550123" })]);
    const snapshot = (errorMessage: string) => ({ id: ids.raw, channel: "SMS", provider: "twilio", status: "FAILED", errorCode: "21211", errorMessage });
    await q(
      `INSERT INTO webhook_events (id, app_id, type, verification_id, data) VALUES
         ($1, $3, 'delivery.updated', $4, $5::jsonb), ($2, $3, 'verification.failed', $4, $6::jsonb)`,
      [ids.deliveryEvent, ids.verificationEvent, app.id, ids.verification,
        JSON.stringify({ verificationId: ids.verification, delivery: snapshot(RAW) }),
        JSON.stringify({ id: ids.verification, status: "FAILED", deliveries: [snapshot(RAW), snapshot(CLEAN)] })]);
    await before.destroy();

    ds = createDataSource(db.url, 2);
    await ds.initialize();
    expect(await migrate(ds)).toEqual(["RescrubVendorTexts1764800000000"]);
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await db?.drop();
  });

  it("scrubs deliveries and every attempt, across batches; clean texts, NULLs and updated_at stay", async () => {
    const deliveries = await ds.query(`SELECT id, error_message, updated_at < now() - interval '2 days' AS old FROM deliveries ORDER BY channel DESC`);
    expect(deliveries).toEqual([
      { id: ids.raw, error_message: SCRUBBED, old: true },
      { id: ids.clean, error_message: CLEAN, old: true },
    ]);
    const attempts = await ds.query(`SELECT error_message, count(*)::int AS n FROM delivery_attempts GROUP BY 1 ORDER BY 2 DESC, 1`);
    expect(attempts).toEqual([
      { error_message: SMTP_SCRUBBED, n: 1049 },
      { error_message: SCRUBBED, n: 1049 },
      { error_message: CLEAN, n: 1 },
      { error_message: null, n: 1 },
    ]);
  });

  it("scrubs delivery events and unmatched callbacks, text and the vendor's words in their raw parameters", async () => {
    const events = await ds.query(`SELECT error_message, raw FROM delivery_events ORDER BY id`);
    expect(events).toEqual([
      { error_message: SCRUBBED, raw: null },
      { error_message: SCRUBBED, raw: { messageId: "hv_1", status: "undelivered", errorMessage: SCRUBBED } },
      // Not vendor text: the receipt's own parameters stay as received.
      { error_message: CLEAN, raw: { MessageSid: "SM1", To: "+14155550123", ErrorCode: "30003" } },
    ]);
    expect(await ds.query(`SELECT error_message, raw FROM early_status_callbacks`)).toEqual([
      { error_message: SMTP_SCRUBBED, raw: { id: "mb-1", statusReason: SCRUBBED, recipient: "14155550123" } },
    ]);
  });

  it("scrubs the delivery snapshots in webhook events still to be sent", async () => {
    const [delivery] = await ds.query(`SELECT data FROM webhook_events WHERE id = $1`, [ids.deliveryEvent]);
    expect(delivery.data).toEqual({ verificationId: ids.verification, delivery: expect.objectContaining({ errorMessage: SCRUBBED, errorCode: "21211" }) });
    const [verification] = await ds.query(`SELECT data FROM webhook_events WHERE id = $1`, [ids.verificationEvent]);
    expect(verification.data.status).toBe("FAILED");
    expect(verification.data.deliveries.map((d: { errorMessage: string }) => d.errorMessage)).toEqual([SCRUBBED, CLEAN]);
  });

  it("leaves no raw destination in any text column, and runs once", async () => {
    const texts = await ds.query(
      `SELECT error_message AS t FROM deliveries UNION ALL SELECT error_message FROM delivery_attempts UNION ALL SELECT error_message FROM delivery_events
       UNION ALL SELECT error_message FROM early_status_callbacks UNION ALL SELECT data::text FROM webhook_events`);
    expect(texts.length).toBeGreaterThan(2000);
    for (const { t } of texts) expect(t ?? "").not.toMatch(/4155550123|jane\.doe@/);
    expect(await migrate(ds)).toEqual([]);
  });
});
