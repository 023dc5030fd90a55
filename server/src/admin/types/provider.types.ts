import { Field, Float, ID, Int, ObjectType } from "type-graphql";

@ObjectType()
export class WindowStatsRecord {
  @Field(() => String, { description: "HOUR, DAY or WEEK" }) window: string;
  @Field(() => Int) attempts: number;
  @Field(() => Int, { description: "Accepted by the provider" }) sent: number;
  @Field(() => Int, { description: "Confirmed delivered by the provider's callback" }) delivered: number;
  @Field(() => Int, { description: "Refused at hand-off, or reported undelivered/failed later" }) failed: number;
  @Field(() => Float, { description: "failed / attempts, 0 to 1" }) failureRate: number;
  @Field(() => Float, { nullable: true }) latencyP50Ms: number | null;
  @Field(() => Float, { nullable: true }) latencyP95Ms: number | null;
}

@ObjectType()
export class ErrorCount {
  @Field(() => String) code: string;
  @Field(() => Int) count: number;
  @Field(() => String, { nullable: true }) explanation: string | null;
}

@ObjectType({ description: "One provider on one channel" })
export class ProviderStatsRecord {
  @Field(() => ID, { description: "provider:channel" }) id: string;
  @Field(() => String) provider: string;
  @Field(() => String) channel: string;
  @Field(() => Int, { nullable: true, description: "Position in the channel's failover order (0 = first); null when no longer configured" }) position: number | null;
  @Field(() => String, { description: "closed, open, half-open, or unknown" }) breakerState: string;
  @Field(() => WindowStatsRecord) hour: WindowStatsRecord;
  @Field(() => WindowStatsRecord) day: WindowStatsRecord;
  @Field(() => WindowStatsRecord) week: WindowStatsRecord;
  @Field(() => [ErrorCount], { description: "The week's most frequent error codes" }) topErrors: ErrorCount[];
}

@ObjectType()
export class ProviderStatsPage {
  @Field(() => [ProviderStatsRecord]) data: ProviderStatsRecord[];
  @Field(() => Int) total: number;
}
