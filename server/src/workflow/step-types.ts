import { Field, InputType, Int, ObjectType } from "type-graphql";
import { Channel } from "../verification/enums";
import { StepStatus } from "./step-status";
import "../verification/enum-types"; // the enums' GraphQL names

export { StepStatus };

@InputType({ description: "A further channel for the same code, tried when the one before has not led to an approval" })
export class NextStepInput {
  @Field(() => Channel) channel: Channel;
  @Field(() => String, { nullable: true, description: "Another destination for this step (an e-mail after SMS); default: the verification's" })
  destination?: string | null;
  @Field(() => Int, { nullable: true, description: "15–600, default 60: move on this long after the previous step's hand-off unless verified" })
  afterSeconds?: number | null;
}

@ObjectType({ description: "One step of a verification's workflow; the first is the verification's own channel" })
export class VerificationStep {
  @Field(() => Channel) channel: Channel;
  @Field(() => String, { description: "Masked like Verification.to" }) to: string;
  @Field(() => StepStatus) status: StepStatus;
  @Field(() => Date, { nullable: true, description: "When it starts (or started); null while the step before has not been handed off" }) startsAt: Date | null;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why it started ("not verified within 60 s of the SMS hand-off", "the SMS failed permanently") or, when SKIPPED, why it never did',
  })
  reason: string | null;
}
