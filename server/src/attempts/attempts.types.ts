import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { Channel, DeliveryStatus } from "../verification/enums";
import type { AttemptView } from "./attempts-query";
import type { MoneyView } from "./money";
import type { SummaryRowView } from "./summary-query";

export enum SummaryKey { COUNTRY = "COUNTRY", CHANNEL = "CHANNEL", PROVIDER = "PROVIDER", DAY = "DAY" }
registerEnumType(SummaryKey, { name: "SummaryKey" });

@ObjectType()
export class Money implements MoneyView {
  @Field(() => String, { description: 'A decimal string, e.g. "0.0079"' }) amount: string;
  @Field(() => String, { description: "ISO 4217, e.g. USD" }) currency: string;
}

@InputType()
export class AttemptFilter {
  @Field(() => Date, { nullable: true }) from?: Date | null;
  @Field(() => Date, { nullable: true }) to?: Date | null;
  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2 of the destination number" }) country?: string | null;
  @Field(() => Channel, { nullable: true }) channel?: Channel | null;
  @Field(() => DeliveryStatus, { nullable: true }) status?: DeliveryStatus | null;
  @Field(() => Boolean, { nullable: true, description: "Whether its verification was approved" }) converted?: boolean | null;
  @Field(() => String, { nullable: true, description: "A full phone number or e-mail address, matched exactly" }) destination?: string | null;
}

@ObjectType({ description: "One hand-off of a code to a vendor, with what it cost" })
export class Attempt implements Omit<AttemptView, "appId"> {
  @Field(() => ID) id: string;
  @Field(() => ID) verificationId: string;
  @Field(() => Channel) channel: Channel;
  @Field(() => String) provider: string;
  @Field(() => String, { description: 'Masked: "+1******4567", "j***@example.com"' }) to: string;
  @Field(() => String, { nullable: true }) country: string | null;
  @Field(() => DeliveryStatus) status: DeliveryStatus;
  @Field(() => Boolean, { description: "Its verification was approved" }) converted: boolean;
  @Field(() => Money, { nullable: true, description: "What the vendor charged, when known" }) price: Money | null;
  @Field(() => Date) createdAt: Date;
}

@ObjectType()
export class AttemptPage {
  @Field(() => [Attempt], { description: "Newest first" }) items: Attempt[];
  @Field(() => String, { nullable: true, description: "Pass as `after` for the next page; null on the last" }) next: string | null;
}

@ObjectType()
export class SummaryRow implements Omit<SummaryRowView, "channel"> {
  @Field(() => String, { nullable: true }) country: string | null;
  @Field(() => Channel, { nullable: true }) channel: Channel | null;
  @Field(() => String, { nullable: true }) provider: string | null;
  @Field(() => String, { nullable: true, description: 'UTC day, "2026-12-07"' }) day: string | null;
  @Field(() => Int) verifications: number;
  @Field(() => Int) approved: number;
  @Field(() => Float, { description: "approved / verifications; 0 when none" }) conversionRate: number;
  @Field(() => Int, { description: "Deliveries handed to a vendor" }) attempts: number;
  @Field(() => [Money], { description: "One entry per currency" }) cost: Money[];
}
