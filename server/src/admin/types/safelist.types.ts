import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "A number or range (up to three trailing x) the pumping guard never refuses for this app" })
export class SafelistEntryRecord {
  @Field(() => String) pattern: string;
  @Field(() => Int, { description: "How many numbers it covers (1, 10, 100 or 1,000)" }) numbers: number;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => String, { nullable: true }) addedBy: string | null;
  @Field(() => Date, { nullable: true }) addedAt: Date | null;
}
