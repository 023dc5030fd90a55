import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What a delivery cost: the vendor's own figure where it reports one (its send answer or a
 * status report), else the operator's PRICE_TABLE, else null. Kept in the vendor's currency
 * (ISO 4217) as an exact decimal; `price_source` says which of the two it came from.
 */
export class DeliveryPrices1765030000000 implements MigrationInterface {
  name = "DeliveryPrices1765030000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN price_amount numeric(14,6), ADD COLUMN price_currency text, ADD COLUMN price_source text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries DROP COLUMN price_amount, DROP COLUMN price_currency, DROP COLUMN price_source`);
  }
}
