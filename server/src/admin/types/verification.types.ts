import { SimSwapResult } from "../../risk/sim-swap-result";
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Channel, VerificationStatus } from "../../verification/enums";
import { TimelineKind } from "../queries/timeline";
import { StepStatus } from "../../workflow/step-types";
import "../../verification/enum-types"; // the shared enums' GraphQL names

@ObjectType({ description: "A verification as support sees it: never its code or code hash" })
export class VerificationRecord {
  @Field(() => ID) id: string;
  @Field(() => ID) appId: string;
  @Field(() => String) appName: string;
  @Field(() => Channel) channel: Channel;
  @Field(() => String, { description: "Whole for ADMIN; masked for SUPPORT (reveal with revealDestination)" }) destination: string;
  @Field(() => Boolean) destinationMasked: boolean;
  @Field(() => String, { nullable: true, description: "ISO 3166 alpha-2, for phone numbers" }) country: string | null;
  @Field(() => String, { nullable: true }) purpose: string | null;
  @Field(() => String) locale: string;
  @Field(() => String, { nullable: true }) clientIp: string | null;
  @Field(() => VerificationStatus) status: VerificationStatus;
  @Field(() => Int) failedAttempts: number;
  @Field(() => Int) maxAttempts: number;
  @Field(() => Int) sendCount: number;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) expiresAt: Date;
  @Field(() => Date, { nullable: true }) completedAt: Date | null;
  @Field(() => String, { nullable: true }) lastProvider: string | null;
  @Field(() => String, { nullable: true }) lastDeliveryStatus: string | null;
  @Field(() => String, { nullable: true }) lastErrorCode: string | null;
  @Field(() => SimSwapResult, { nullable: true, description: "What the SIM-swap check before the send said; null when none applied" }) simSwap: SimSwapResult | null;
}

@ObjectType({ description: "One step of a verification's workflow (requestOtp `next`), as staff see it" })
export class WorkflowStepRecord {
  @Field(() => Int) position: number;
  @Field(() => Channel) channel: Channel;
  @Field(() => String, { description: "Whole for ADMIN; masked for SUPPORT" }) destination: string;
  @Field(() => StepStatus) status: StepStatus;
  @Field(() => Int, { description: "Seconds after the step before was handed off (0 for the first step)" }) afterSeconds: number;
  @Field(() => Date, { nullable: true }) startsAt: Date | null;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) endedAt: Date | null;
  @Field(() => String, { nullable: true, description: "Why it started, or why it was skipped" }) reason: string | null;
  @Field(() => ID, { nullable: true, description: "The delivery it sent (the latest, after a resend)" }) deliveryId: string | null;
}

@ObjectType()
export class VerificationPage {
  @Field(() => [VerificationRecord]) data: VerificationRecord[];
  @Field(() => Int) total: number;
}

@ObjectType({ description: "One thing that happened to a verification" })
export class TimelineEntry {
  @Field(() => Date) at: Date;
  @Field(() => TimelineKind) kind: TimelineKind;
  @Field(() => String, { description: "A sentence a support agent can read out" }) summary: string;
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => String, { nullable: true }) channel?: string | null;
  @Field(() => String, { nullable: true, description: "Attempt outcome, delivery status, verify outcome or final status" }) status?: string | null;
  @Field(() => String, { nullable: true, description: "Who wrote a status: api, worker, or the provider's callback" }) source?: string | null;
  @Field(() => String, { nullable: true, description: "The provider's message id" }) messageId?: string | null;
  @Field(() => String, { nullable: true, description: "The vendor's raw error code" }) errorCode?: string | null;
  @Field(() => String, { nullable: true }) errorMessage?: string | null;
  @Field(() => String, { nullable: true, description: "What the error code means, in plain language" }) errorExplanation?: string | null;
  @Field(() => Int, { nullable: true }) latencyMs?: number | null;
  @Field(() => String, { nullable: true }) ip?: string | null;
  @Field(() => String, { nullable: true }) rule?: string | null;
  @Field(() => Int, { nullable: true }) hits?: number | null;
  @Field(() => Int, { nullable: true }) limit?: number | null;
  @Field(() => Date, { nullable: true }) blockedUntil?: Date | null;
  @Field(() => ID, { nullable: true }) blockId?: string | null;
  @Field(() => Date, { nullable: true }) liftedAt?: Date | null;
  @Field(() => String, { nullable: true }) liftReason?: string | null;
  @Field(() => [String], { nullable: true, description: "A refusal's risk factors, in plain words" }) riskFactors?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: "A refusal recorded in record_only mode: nothing was refused" }) shadow?: boolean | null;
  @Field(() => ID, { nullable: true }) deliveryId?: string | null;
  @Field(() => String, { nullable: true }) purpose?: string | null;
  @Field(() => String, { nullable: true }) locale?: string | null;
  @Field(() => String, { nullable: true }) appName?: string | null;
  @Field(() => String, { nullable: true, description: "On REQUEST: the destination as the viewer may see it" }) destination?: string | null;
}

@ObjectType()
export class RevealedDestination {
  @Field(() => ID) verificationId: string;
  @Field(() => String) destination: string;
}

@InputType()
export class VerificationFilter {
  @Field(() => String, { nullable: true, description: "A phone number in any format, an e-mail address, or a verification id" }) q?: string | null;
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
  @Field(() => ID, { nullable: true }) appId?: string | null;
  @Field(() => VerificationStatus, { nullable: true }) status?: VerificationStatus | null;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}
