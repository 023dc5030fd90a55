import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { FactorStatus } from "../../totp/totp.types";
import { TimelineEntry } from "./verification.types";

@ObjectType({ description: "An end user's authenticator factor, as staff see it (never its secret)" })
export class TotpFactorRecord {
  @Field(() => ID) id: string;
  @Field(() => ID) appId: string;
  @Field(() => String) appName: string;
  @Field(() => String, { description: "The client app's id for its user; masked for SUPPORT (\"c***-7\", \"a***@example.com\")" }) subject: string;
  @Field(() => String, { nullable: true, description: "Masked for SUPPORT, like the subject" }) label: string | null;
  @Field(() => FactorStatus) status: FactorStatus;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) verifiedAt: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field(() => Int, { description: "Code checks in the last 24 hours" }) attemptsDay: number;
  @Field(() => Int, { description: "Wrong or replayed codes in the last 24 hours" }) failuresDay: number;
  @Field(() => Date, { nullable: true }) lastAttemptAt: Date | null;
  @Field(() => String, { nullable: true, description: "APPROVED, WRONG_CODE, REPLAYED or RATE_LIMITED" }) lastAttemptOutcome: string | null;
}

@ObjectType()
export class TotpFactorDetail extends TotpFactorRecord {
  @Field(() => [TimelineEntry], { description: "Enrolment, each code check (outcome, client IP), refusals, confirmation and revocation, in time order" })
  timeline: TimelineEntry[];
}

@ObjectType()
export class TotpFactorPage {
  @Field(() => [TotpFactorRecord]) data: TotpFactorRecord[];
  @Field(() => Int) total: number;
}

@InputType()
export class TotpFactorFilter {
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
  @Field(() => ID, { nullable: true }) appId?: string | null;
  @Field(() => String, { nullable: true, description: "The subject (ADMIN: or the start of it); audited" }) subject?: string | null;
  @Field(() => FactorStatus, { nullable: true }) status?: FactorStatus | null;
}
