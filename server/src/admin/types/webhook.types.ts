import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "One POST of a webhook message to its endpoint" })
export class WebhookAttemptRecord {
  @Field(() => ID) id: string;
  @Field(() => String, { description: "DELIVERED, RETRY or FAILED" }) outcome: string;
  @Field(() => Int, { nullable: true, description: "The endpoint's HTTP status; null when it never answered" }) statusCode: number | null;
  @Field(() => Int) latencyMs: number;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => Date) createdAt: Date;
}

@ObjectType({ description: "One event on its way to one endpoint; its id is the webhook-id the receiver sees" })
export class WebhookMessageRecord {
  @Field(() => ID) id: string;
  @Field(() => ID, { description: "The event's id: the body's id and the webhook-id header, the same on every retry" }) eventId: string;
  @Field(() => String) type: string;
  @Field(() => ID, { nullable: true }) verificationId: string | null;
  @Field(() => String, { description: "PENDING, SENDING, DELIVERED or FAILED" }) status: string;
  @Field(() => Int) attempts: number;
  @Field(() => Int, { nullable: true }) lastStatusCode: number | null;
  @Field(() => String, { nullable: true }) lastError: string | null;
  @Field(() => Date) nextAttemptAt: Date;
  @Field(() => Date, { nullable: true }) deliveredAt: Date | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => [WebhookAttemptRecord], { description: "Oldest first" }) attemptLog: WebhookAttemptRecord[];
}

@ObjectType({ description: "Where an app's events are POSTed (signed with the endpoint's secret, never shown again)" })
export class WebhookEndpointRecord {
  @Field(() => ID) id: string;
  @Field(() => ID) appId: string;
  @Field(() => String) url: string;
  @Field(() => [String], { nullable: true, description: "The event types it receives; null: all" }) events: string[] | null;
  @Field(() => String, { description: "ACTIVE or PAUSED (after failing for a whole retry window)" }) status: string;
  @Field(() => Int) consecutiveFailures: number;
  @Field(() => Date, { nullable: true }) failingSince: Date | null;
  @Field(() => Date, { nullable: true }) pausedAt: Date | null;
  @Field(() => String, { nullable: true }) pauseReason: string | null;
  @Field(() => Date) createdAt: Date;
}

@ObjectType({ description: "A new endpoint and its signing secret, shown this once and never again" })
export class IssuedWebhookSecret {
  @Field(() => WebhookEndpointRecord) endpoint: WebhookEndpointRecord;
  @Field(() => String, { description: "whsec_…, for the receiver to check signatures" }) signingSecret: string;
}
