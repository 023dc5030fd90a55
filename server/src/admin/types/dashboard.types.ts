import { Field, Float, Int, ObjectType } from "type-graphql";

@ObjectType()
export class DashboardTotals {
  @Field(() => Int) requested: number;
  @Field(() => Int) approved: number;
  @Field(() => Float) conversionRate: number;
  @Field(() => Int) attempts: number;
  @Field(() => Int) failed: number;
  @Field(() => Float) failureRate: number;
  @Field(() => Int) activeBlocks: number;
}

@ObjectType()
export class SendsPoint {
  @Field(() => Date) bucket: Date;
  @Field(() => Int) requested: number;
  @Field(() => Int) approved: number;
  @Field(() => Float) conversionRate: number;
  @Field(() => Int) attempts: number;
  @Field(() => Int) failed: number;
}

@ObjectType()
export class ProviderFailurePoint {
  @Field(() => Date) bucket: Date;
  @Field(() => String) provider: string;
  @Field(() => String, { description: "The channel the provider carried: one vendor fails differently per channel (twilio's SMS and its RCS)" }) channel: string;
  @Field(() => Int) attempts: number;
  @Field(() => Int) failed: number;
  @Field(() => Float) failureRate: number;
}

@ObjectType()
export class BlocksPoint {
  @Field(() => Date) bucket: Date;
  @Field(() => Int) blocks: number;
}

@ObjectType()
export class CountryTraffic {
  @Field(() => String, { description: "ISO 3166 alpha-2; EMAIL for e-mail" }) country: string;
  @Field(() => Int) requested: number;
  @Field(() => Int) approved: number;
  @Field(() => Float) conversionRate: number;
}

@ObjectType({ description: "The dashboard home's charts, aggregated on the server" })
export class DashboardStats {
  @Field(() => String, { description: "HOUR or DAY buckets" }) unit: string;
  @Field(() => DashboardTotals) totals: DashboardTotals;
  @Field(() => [SendsPoint]) sends: SendsPoint[];
  @Field(() => [ProviderFailurePoint]) providerFailures: ProviderFailurePoint[];
  @Field(() => [BlocksPoint]) blocks: BlocksPoint[];
  @Field(() => [CountryTraffic]) countries: CountryTraffic[];
}
