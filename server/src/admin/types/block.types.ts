import { Field, ID, InputType, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "A rate-limit refusal: the first request over a limit, kept until lifted or expired" })
export class BlockRecord {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) appId: string | null;
  @Field(() => String, { nullable: true }) appName: string | null;
  @Field(() => String) rule: string;
  @Field(() => String, { description: "The limited key, masked" }) key: string;
  @Field(() => Int, { description: "Requests counted in the window when it was refused" }) hits: number;
  @Field(() => Int) limit: number;
  @Field(() => Int, { nullable: true }) windowSeconds: number | null;
  @Field(() => Date) blockedUntil: Date;
  @Field(() => Date) createdAt: Date;
  @Field(() => Boolean) active: boolean;
  @Field(() => Date, { nullable: true }) liftedAt: Date | null;
  @Field(() => String, { nullable: true }) liftedBy: string | null;
  @Field(() => String, { nullable: true }) liftReason: string | null;
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
  @Field(() => ID, { nullable: true }) appId?: string | null;
  @Field(() => String, { nullable: true, description: "A destination in any format" }) q?: string | null;
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}
