import { Field, ID, InputType, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "One figure a block was judged on, labelled in plain words" })
export class BlockFigure {
  @Field(() => String) label: string;
  @Field(() => String) value: string;
}

@ObjectType({ description: "Why a refusal looks like fraud: a code (unverified_burst, no_conversion_history, number_range_abuse, ip_rotation, country_spike) and its meaning" })
export class RiskFactorRecord {
  @Field(() => String) code: string;
  @Field(() => String) text: string;
}

@ObjectType({ description: "A rate-limit refusal: the first request over a limit, kept until lifted or expired" })
export class BlockRecord {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) appId: string | null;
  @Field(() => String, { nullable: true }) appName: string | null;
  @Field(() => String) rule: string;
  @Field(() => String, { description: "The limited key, masked; for SUPPORT a number prefix is its calling code only (\"+33…\")" }) key: string;
  @Field(() => Int, { description: "Requests counted in the window when it was refused" }) hits: number;
  @Field(() => Int) limit: number;
  @Field(() => Int, { nullable: true }) windowSeconds: number | null;
  @Field(() => Date) blockedUntil: Date;
  @Field(() => Date) createdAt: Date;
  @Field(() => Boolean) active: boolean;
  @Field(() => Date, { nullable: true }) liftedAt: Date | null;
  @Field(() => String, { nullable: true }) liftedBy: string | null;
  @Field(() => String, { nullable: true }) liftReason: string | null;
  @Field(() => Boolean, { description: "A money or brute-force guard (pumping_*, spend_ceiling_*, verify_failures_per_destination_day, admin_login_*): only ADMIN lifts it" }) liftNeedsAdmin: boolean;
  @Field(() => Boolean, { description: "Recorded by a rule in record_only mode: nothing was refused" }) shadow: boolean;
  @Field(() => String, { description: "What was refused and why, in plain words" }) summary: string;
  @Field(() => [BlockFigure], { description: "The figures the refusal was judged on" }) figures: BlockFigure[];
  @Field(() => [RiskFactorRecord]) riskFactors: RiskFactorRecord[];
}

@ObjectType()
export class BlockPage {
  @Field(() => [BlockRecord]) data: BlockRecord[];
  @Field(() => Int) total: number;
}

@InputType()
export class BlockFilter {
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: "true: still blocking; false: lifted or expired" }) active?: boolean | null;
  @Field(() => String, { nullable: true }) rule?: string | null;
  @Field(() => Boolean, { nullable: true, description: "true: only shadow (record_only) blocks; false: only enforced ones" }) shadow?: boolean | null;
  @Field(() => ID, { nullable: true }) appId?: string | null;
  @Field(() => String, { nullable: true, description: "A destination in any format" }) q?: string | null;
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}
