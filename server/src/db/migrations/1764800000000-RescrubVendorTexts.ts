import type { MigrationInterface, QueryRunner } from "typeorm";
import { scrubVendorRaw, scrubVendorText, VENDOR_TEXT_KEYS } from "../../providers/scrub-vendor-text";

/** Rows read per statement: the process's memory stays bounded, and each UPDATE is short. */
const BATCH = 1000;

type Row = Record<string, unknown>;

/** One table whose rows may hold a vendor's words from before they were scrubbed on the way in. */
interface Target {
  table: string;
  idType: "uuid" | "bigint";
  /** The columns read and, for a row that changes, written back. */
  columns: Record<string, "text" | "jsonb">;
  /** Which rows can hold vendor text at all (the others are skipped by the scan). */
  where: string;
  scrub(row: Row): Row;
}

const hasText = `raw ?| array[${VENDOR_TEXT_KEYS.map((k) => `'${k}'`).join(", ")}]`;
const errorAndRaw = (row: Row): Row => ({
  error_message: scrubVendorText(row.error_message as string | null),
  raw: row.raw && typeof row.raw === "object" ? scrubVendorRaw(row.raw as Row) : row.raw,
});

/** A delivery as a webhook event's data carries it (`delivery`, or each of `deliveries`), its errorMessage scrubbed. */
const scrubDeliveryJson = (d: unknown): unknown =>
  d && typeof d === "object" && typeof (d as Row).errorMessage === "string" ? { ...(d as Row), errorMessage: scrubVendorText((d as Row).errorMessage as string) } : d;

const TARGETS: Target[] = [
  { table: "deliveries", idType: "uuid", columns: { error_message: "text" }, where: "error_message IS NOT NULL", scrub: (r) => ({ error_message: scrubVendorText(r.error_message as string) }) },
  { table: "delivery_attempts", idType: "bigint", columns: { error_message: "text" }, where: "error_message IS NOT NULL", scrub: (r) => ({ error_message: scrubVendorText(r.error_message as string) }) },
  { table: "delivery_events", idType: "bigint", columns: { error_message: "text", raw: "jsonb" }, where: `error_message IS NOT NULL OR ${hasText}`, scrub: errorAndRaw },
  { table: "early_status_callbacks", idType: "bigint", columns: { error_message: "text", raw: "jsonb" }, where: `error_message IS NOT NULL OR ${hasText}`, scrub: errorAndRaw },
  // Outbound webhook events snapshot the deliveries (errorMessage included); unsent ones are still to be POSTed from here.
  {
    table: "webhook_events", idType: "uuid", columns: { data: "jsonb" }, where: `type = 'delivery.updated' OR type LIKE 'verification.%'`,
    scrub: (r) => {
      const data = r.data as Row;
      return { data: { ...data, ...("delivery" in data && { delivery: scrubDeliveryJson(data.delivery) }), ...(Array.isArray(data.deliveries) && { deliveries: data.deliveries.map(scrubDeliveryJson) }) } };
    },
  },
];

/**
 * Vendor error texts quote the destination (Twilio's 21211 "The 'To' number +14155550123 is not
 * a valid phone number", an SMTP 550 "<jane@example.com>: Recipient address rejected"). Since
 * they are scrubbed on the way in (providers/scrub-vendor-text.ts, in the dispatcher and in
 * StatusCallbacks), rows stored before that still held them whole, shown to SUPPORT on the
 * timeline and in the client API's `errorMessage`. This re-scrubs them with the same function,
 * so there is one rule: deliveries, delivery attempts, delivery events and unmatched callbacks
 * (their error text and the vendor's words in their raw parameters), and the delivery snapshots
 * in webhook events. A scrubbed text scrubs to itself, so rows written since change nothing.
 *
 * Outside a transaction, in keyset batches by primary key, each batch one short UPDATE of the
 * rows that change: a database with 90 days of deliveries never sits in one long transaction
 * holding row locks the running gateway's workers wait on. Interrupted, it runs again from the
 * start on the next start-up and finds the scrubbed rows unchanged.
 */
export class RescrubVendorTexts1764800000000 implements MigrationInterface {
  name = "RescrubVendorTexts1764800000000";
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    for (const t of TARGETS) await rescrub(q, t);
  }

  async down(): Promise<void> {
    // Nothing to restore: the destinations are gone from these texts on purpose.
  }
}

async function rescrub(q: QueryRunner, t: Target): Promise<void> {
  const cols = Object.keys(t.columns);
  let after: string = t.idType === "uuid" ? "00000000-0000-0000-0000-000000000000" : "0";
  for (;;) {
    const rows: Row[] = await q.query(
      `SELECT id, ${cols.join(", ")} FROM ${t.table} WHERE id > $1::${t.idType} AND (${t.where}) ORDER BY id LIMIT ${BATCH}`, [after]);
    if (!rows.length) return;
    after = String(rows[rows.length - 1].id);
    const changed = rows
      .map((row): Row => ({ id: row.id, ...t.scrub(row) }))
      .filter((next, i) => cols.some((c) => JSON.stringify(next[c]) !== JSON.stringify(rows[i][c])));
    if (changed.length) {
      await q.query(
        `UPDATE ${t.table} t SET ${cols.map((c) => `${c} = v.${c}`).join(", ")}
           FROM jsonb_to_recordset($1::jsonb) AS v(id ${t.idType}, ${cols.map((c) => `${c} ${t.columns[c]}`).join(", ")})
          WHERE t.id = v.id`,
        [JSON.stringify(changed)],
      );
    }
    if (rows.length < BATCH) return;
  }
}
