import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Channel, DeliveryStatus, VerificationStatus } from "./enums";
import { NextStepInput, VerificationStep } from "../workflow/step-types";
import type { DeliveryView, VerificationRiskView, VerificationView } from "./verification-view";
import { SimSwapResult } from "../risk/sim-swap-result";
import "./enum-types"; // the shared enums' GraphQL names

@ObjectType({ description: "One hand-off of a code to a person, through one provider" })
export class Delivery implements DeliveryView {
  @Field(() => ID) id: string;
  @Field(() => Channel) channel: Channel;
  @Field(() => String, { description: '"twilio", "vonage", "smtp", "outbox", ...' }) provider: string;
  @Field(() => DeliveryStatus) status: DeliveryStatus;
  @Field(() => String, { nullable: true, description: 'The provider\'s own code, e.g. Twilio "30003"' }) errorCode: string | null;
  @Field(() => String, { nullable: true }) errorMessage: string | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
}

@ObjectType({ description: "What the checks before the send found about the destination" })
export class VerificationRisk implements VerificationRiskView {
  @Field(() => SimSwapResult, {
    nullable: true,
    description: "SWAPPED: the number's SIM card changed within the app's simSwap.maxAgeHours (step up: e-mail or an authenticator); UNKNOWN: the check failed or timed out",
  })
  simSwap: SimSwapResult | null;
  @Field(() => Date, { nullable: true }) checkedAt: Date | null;
}

@ObjectType()
export class Verification implements Omit<VerificationView, "deliveries" | "appId"> {
  @Field(() => ID) id: string;
  @Field(() => Channel) channel: Channel;
  @Field(() => VerificationStatus) status: VerificationStatus;
  @Field(() => String, { description: 'Masked: "+1******4567", "j***@example.com"' }) to: string;
  @Field(() => String, { nullable: true }) purpose: string | null;
  @Field(() => Int) codeLength: number;
  @Field(() => Date) expiresAt: Date;
  @Field(() => Date) resendAvailableAt: Date;
  @Field(() => Int) attemptsRemaining: number;
  @Field(() => [Delivery], { description: "Oldest first" }) deliveries: Delivery[];
  @Field(() => [VerificationStep], { description: "The workflow: the first step is `channel` itself, then each of `next`" }) steps: VerificationStep[];
  @Field(() => VerificationRisk, { nullable: true, description: "Null when no check applied (no simSwap setting, not a phone channel, or no SIM-swap service configured)" })
  risk: VerificationRisk | null;
}

@ObjectType()
export class VerifyOtpResult {
  @Field(() => VerificationStatus, { description: "APPROVED on success; PENDING after a wrong code with attempts left" }) status: VerificationStatus;
  @Field(() => Int) attemptsRemaining: number;
  @Field(() => String, { nullable: true, description: "On APPROVED: a signed JWT, verifiable with /.well-known/jwks.json" }) token: string | null;
}

@ObjectType()
export class DeliveryEvent {
  @Field(() => ID) verificationId: string;
  @Field(() => Delivery) delivery: Delivery;
  @Field(() => VerificationStatus, {
    nullable: true,
    description: "The verification's status when this event carries it: in the first snapshot, and FAILED on the event whose failure left no delivery that could reach the destination",
  })
  verificationStatus: VerificationStatus | null;
  @Field(() => [VerificationStep], { nullable: true, description: "Every step of the workflow, on the events that changed it (a step started, or was refused)" })
  steps: VerificationStep[] | null;
}

@InputType()
export class TransactionInput {
  @Field(() => String) amount: string;
  @Field(() => String) payee: string;
}

@InputType()
export class RequestOtpInput {
  @Field(() => String, { description: "A phone number in any common format (normalized to E.164) or an e-mail address" }) destination: string;
  @Field(() => Channel, { description: "EMAIL needs an e-mail address; every other channel (SMS, VOICE, WHATSAPP, TELEGRAM, RCS) a phone number" }) channel: Channel;
  @Field(() => String, { nullable: true }) purpose?: string | null;
  @Field(() => String, { nullable: true, description: 'BCP 47 ("es", "pt-BR"); falls back to the app\'s default, then "en"' }) locale?: string | null;
  @Field(() => TransactionInput, { nullable: true }) transaction?: TransactionInput | null;
  @Field(() => String, { nullable: true, description: "The end user's IP as the calling backend saw it; per-IP limits key on it" }) clientIp?: string | null;
  @Field(() => [NextStepInput], { nullable: true, description: "At most 3 further channels for the same code, tried in order while it is not verified" })
  next?: NextStepInput[] | null;
}

@InputType()
export class VerifyOtpInput {
  @Field(() => ID, { nullable: true }) verificationId?: string | null;
  @Field(() => String, { nullable: true }) destination?: string | null;
  @Field(() => String) code: string;
  @Field(() => String, { nullable: true, description: "The end user's IP as the calling backend saw it; per-IP limits on failed codes key on it" })
  clientIp?: string | null;
}
