import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";

export interface SeedDelivery { channel?: string; provider?: string; status?: string; price?: [amount: string, currency: string] | null }
export interface SeedVerification {
  appId: string;
  country: string | null;
  approved: boolean;
  /** When it was requested; its deliveries are made at the same moment (the period is the attempts'). */
  at: Date;
  channel?: string;
  deliveries?: SeedDelivery[];
}

/**
 * Verifications and their priced deliveries written straight into the tables, as the send
 * path and the price lookup leave them: the spend report reads rows, and a test needs rows at
 * chosen moments (period bounds) with chosen prices, which real sends can't be asked for.
 */
export async function seedSpend(ds: DataSource, rows: SeedVerification[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, r] of rows.entries()) {
    const id = randomUUID();
    ids.push(id);
    const channel = r.channel ?? "SMS";
    const destination = channel === "EMAIL" ? `user${i}@example.com` : `+${r.country === "FR" ? "3361234" : "1415555"}${String(1000 + i).slice(-4)}`;
    await ds.query(
      `INSERT INTO verifications (id, app_id, channel, destination, destination_country, locale, code_length, max_attempts, status, expires_at, resend_available_at, completed_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'en', 6, 5, $6, $7::timestamptz + interval '10 minutes', $7, CASE WHEN $6 = 'APPROVED' THEN $7::timestamptz + interval '30 seconds' END, $7, $7)`,
      [id, r.appId, channel, destination, r.country, r.approved ? "APPROVED" : "EXPIRED", r.at],
    );
    for (const d of r.deliveries ?? [{}]) {
      await ds.query(
        `INSERT INTO deliveries (id, verification_id, app_id, channel, provider, status, price_amount, price_currency, price_source, created_at, updated_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)`,
        [randomUUID(), id, r.appId, d.channel ?? channel, d.provider ?? "twilio", d.status ?? "DELIVERED", d.price?.[0] ?? null, d.price?.[1] ?? null, d.price ? "vendor" : null, r.at],
      );
    }
  }
  return ids;
}
