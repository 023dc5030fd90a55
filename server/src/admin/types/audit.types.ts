import { Field, ID, InputType, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "One staff action: who, when, what, before and after. Append-only." })
export class AuditRecord {
  @Field(() => ID) id: string;
  @Field(() => Date) at: Date;
  @Field(() => ID, { nullable: true }) actorId: string | null;
  @Field(() => String) actorEmail: string;
  @Field(() => String, { nullable: true }) actorRole: string | null;
  @Field(() => String) action: string;
  @Field(() => String) targetType: string;
  @Field(() => String, { nullable: true }) targetId: string | null;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => String, { nullable: true, description: "JSON" }) before: string | null;
  @Field(() => String, { nullable: true, description: "JSON" }) after: string | null;
  @Field(() => String, { nullable: true }) ip: string | null;
}

@ObjectType()
export class AuditPage {
  @Field(() => [AuditRecord]) data: AuditRecord[];
  @Field(() => Int) total: number;
}

@InputType()
export class AuditFilter {
  @Field(() => String, { nullable: true }) actor?: string | null;
  @Field(() => String, { nullable: true }) action?: string | null;
  @Field(() => String, { nullable: true }) targetType?: string | null;
  @Field(() => String, { nullable: true }) targetId?: string | null;
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}
