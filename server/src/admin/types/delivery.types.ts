import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Channel, DeliveryStatus } from "../../verification/enums";
import "../../verification/enum-types"; // the shared enums' GraphQL names

@ObjectType({ description: "One hand-off of a message to a provider" })
export class DeliveryAttemptRecord {
  @Field(() => ID) id: string;
  @Field(() => Date) at: Date;
  @Field(() => String) provider: string;
  @Field(() => Channel) channel: Channel;
  @Field(() => String, { description: "SENT (the provider accepted it), RETRY or FAILED" }) outcome: string;
  @Field(() => String, { nullable: true }) messageId: string | null;
  @Field(() => String, { nullable: true, description: "The provider's raw error code: at hand-off, or from its later callback" }) errorCode: string | null;
  @Field(() => String, { nullable: true }) errorMessage: string | null;
  @Field(() => String, { nullable: true }) errorExplanation: string | null;
  @Field(() => Int) latencyMs: number;
  @Field(() => Channel, { nullable: true, description: "The channel the vendor reports having sent this message on, when not the delivery's own: an RCS message Twilio sent as SMS itself (the device has no RCS)" })
  sentAs: Channel | null;
  @Field(() => ID) deliveryId: string;
  @Field(() => DeliveryStatus, { description: "The delivery's status now" }) deliveryStatus: DeliveryStatus;
  @Field(() => ID) verificationId: string;
  @Field(() => String) destination: string;
  @Field(() => String, { nullable: true }) country: string | null;
  @Field(() => String) appName: string;
}

@ObjectType()
export class DeliveryAttemptPage {
  @Field(() => [DeliveryAttemptRecord]) data: DeliveryAttemptRecord[];
  @Field(() => Int) total: number;
}

@ObjectType({ description: "A delivery's status changed (live delivery log)" })
export class DeliveryLogEvent {
  @Field(() => ID) verificationId: string;
  @Field(() => ID) deliveryId: string;
  @Field(() => String) provider: string;
  @Field(() => Channel) channel: Channel;
  @Field(() => DeliveryStatus) status: DeliveryStatus;
  @Field(() => String, { nullable: true }) errorCode: string | null;
  @Field(() => String, { nullable: true }) errorMessage: string | null;
  @Field(() => Date) at: Date;
}

@InputType()
export class DeliveryLogFilter {
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
  @Field(() => String, { nullable: true }) provider?: string | null;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => String, { nullable: true, description: "SENT, RETRY or FAILED" }) outcome?: string | null;
  @Field(() => DeliveryStatus, { nullable: true }) deliveryStatus?: DeliveryStatus | null;
  @Field(() => String, { nullable: true }) errorCode?: string | null;
  @Field(() => String, { nullable: true }) country?: string | null;
  @Field(() => ID, { nullable: true }) appId?: string | null;
  @Field(() => ID, { nullable: true }) verificationId?: string | null;
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
}
