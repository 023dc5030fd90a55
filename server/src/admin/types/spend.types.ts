import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { SpendKey } from "../spend/spend-keys";

registerEnumType(SpendKey, {
  name: "SpendKey",
  description: "COUNTRY is the verification's destination country; DAY (UTC), CHANNEL, PROVIDER and APP each attempt's (a verification counts in every group it had an attempt in)",
});

@ObjectType({ description: "An amount of money in one currency: a decimal string (exact), ISO 4217" })
export class Money {
  @Field(() => String) amount: string;
  @Field(() => String) currency: string;
}

@ObjectType({ description: "Spend and conversion of one group (or of the whole period)" })
export class SpendRow {
  @Field(() => String, { nullable: true, description: "ISO 3166 alpha-2; null for e-mail or an unknown country" }) country: string | null;
  @Field(() => String, { nullable: true }) channel: string | null;
  @Field(() => String, { nullable: true }) provider: string | null;
  @Field(() => ID, { nullable: true }) appId: string | null;
  @Field(() => String, { nullable: true }) appName: string | null;
  @Field(() => String, { nullable: true, description: "YYYY-MM-DD, UTC" }) day: string | null;
  @Field(() => Int) verifications: number;
  @Field(() => Int) approved: number;
  @Field(() => Float, { description: "approved ÷ verifications, 0 when none" }) conversionRate: number;
  @Field(() => Int, { description: "deliveries handed to a vendor (SENT, DELIVERED or UNDELIVERED)" }) attempts: number;
  @Field(() => Int, { description: "of those, the ones whose price is known" }) pricedAttempts: number;
  @Field(() => [Money], { description: "one entry per currency, never added across currencies" }) cost: Money[];
  @Field(() => [Money], { description: "cost ÷ approved, per currency; empty when nobody was verified" }) costPerVerified: Money[];
  @Field(() => Boolean, { description: "money spent and conversion below lowConversionThreshold" }) spendWithoutConversion: boolean;
}

@ObjectType({ description: "Spend & conversion of the attempts made in [from, to), computed on the server" })
export class SpendReport {
  @Field(() => Date) from: Date;
  @Field(() => Date) to: Date;
  @Field(() => ID, { nullable: true }) appId: string | null;
  @Field(() => [SpendKey]) groupBy: SpendKey[];
  @Field(() => Float) lowConversionThreshold: number;
  @Field(() => SpendRow) totals: SpendRow;
  @Field(() => [SpendRow]) rows: SpendRow[];
}
