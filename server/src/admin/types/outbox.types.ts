import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Channel } from "../../verification/enums";
import "../../verification/enum-types"; // the shared enums' GraphQL names

@ObjectType({ description: "A message the outbox provider kept instead of sending (development only; it contains the code)" })
export class OutboxMessageRecord {
  @Field(() => ID) id: string;
  @Field(() => ID) verificationId: string;
  @Field(() => String, { nullable: true }) appName: string | null;
  @Field(() => Channel) channel: Channel;
  @Field(() => String) recipient: string;
  @Field(() => String, { nullable: true }) subject: string | null;
  @Field(() => String) body: string;
  @Field(() => Date) createdAt: Date;
}

@ObjectType()
export class OutboxPage {
  @Field(() => [OutboxMessageRecord]) data: OutboxMessageRecord[];
  @Field(() => Int) total: number;
}

@InputType()
export class OutboxFilter {
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
  @Field(() => String, { nullable: true }) q?: string | null;
  @Field(() => ID, { nullable: true }) appId?: string | null;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => ID, { nullable: true }) verificationId?: string | null;
}
