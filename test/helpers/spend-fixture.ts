import type { DataSource } from "typeorm";
import { seedSpend } from "./spend-seed";

const HOUR = 3_600_000;

/**
 * One day of traffic for two apps (shared by the e2e test and the browser test):
 * - Shop, US: 3 by Twilio at 0.0079 USD (2 verified), 1 verified after Twilio failed (unpriced)
 *   and Vonage charged 0.05 EUR;
 * - Shop, FR: 2 by Vonage at 0.06 EUR, none verified (the pumping-shaped country);
 * - Games, US: 1 by Twilio at 0.01 USD, verified; and an e-mail (no country, no price), verified;
 * - outside the period: Shop US 1 ms before `from` (5 USD) and FR at `to` exactly (7 EUR).
 * The first Shop US row is requested at `from` exactly (the bound is inclusive).
 */
export async function seedSpendDay(ds: DataSource, shopId: string, gamesId: string, from: Date) {
  const at = (h: number) => new Date(from.getTime() + h * HOUR);
  const twilio = (amount = "0.0079") => ({ provider: "twilio", price: [amount, "USD"] as [string, string] });
  const vonage = (amount: string) => ({ provider: "vonage", price: [amount, "EUR"] as [string, string] });
  await seedSpend(ds, [
    { appId: shopId, country: "US", approved: true, at: from, deliveries: [twilio()] },
    { appId: shopId, country: "US", approved: true, at: at(2), deliveries: [twilio()] },
    { appId: shopId, country: "US", approved: false, at: at(3), deliveries: [twilio()] },
    { appId: shopId, country: "US", approved: true, at: at(4), deliveries: [{ provider: "twilio", status: "FAILED" }, vonage("0.05")] },
    { appId: shopId, country: "FR", approved: false, at: at(5), deliveries: [vonage("0.06")] },
    { appId: shopId, country: "FR", approved: false, at: at(6), deliveries: [vonage("0.06")] },
    { appId: gamesId, country: "US", approved: true, at: at(7), deliveries: [twilio("0.01")] },
    { appId: gamesId, country: null, approved: true, at: at(8), channel: "EMAIL", deliveries: [{ provider: "smtp" }] },
    { appId: shopId, country: "US", approved: true, at: new Date(from.getTime() - 1), deliveries: [twilio("5")] },
    { appId: shopId, country: "FR", approved: false, at: at(24), deliveries: [vonage("7")] },
  ]);
}
