import type { Price } from "./vendor-price";
import type { PriceTable } from "./price-table";

/** A delivery's price as stored: `vendor` when the vendor said it, `table` when PRICE_TABLE did. */
export interface DeliveryPrice extends Price { source: "vendor" | "table" }

/** Stand-ins that send nothing and cost nothing: never priced from the table, whatever its `*` entries say. */
const UNPRICED = new Set(["outbox", "test"]);

/** What a hand-off cost: the vendor's answer when it has a price, else the operator's table, else unknown. */
export function priceOfHandOff(vendor: Price | null | undefined, table: PriceTable | undefined, provider: string, channel: string, country: string | null): DeliveryPrice | null {
  if (vendor) return { ...vendor, source: "vendor" };
  if (!table || UNPRICED.has(provider)) return null;
  const listed = table.lookup(provider, channel, country);
  return listed && { ...listed, source: "table" };
}
