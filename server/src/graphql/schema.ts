import "reflect-metadata";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema, type PubSub } from "type-graphql";
import { AttemptsResolver } from "../attempts/attempts.resolver";
import { DeliveryStatusResolver } from "../delivery/delivery-status.resolver";
import { TotpResolver } from "../totp/totp.resolver";
import { VerificationResolver } from "../verification/verification.resolver";
import { DateTimeScalar } from "./scalars";
import "../verification/enum-types"; // the shared enums' GraphQL names

const noTopicPubSub: PubSub = {
  publish: () => undefined,
  subscribe: () => {
    throw new Error("topic subscriptions are not used; subscriptions use `subscribe`");
  },
};

/** The client API schema. Built once per process; `schema/schema.graphql` is its sorted print. */
export async function buildClientSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [VerificationResolver, DeliveryStatusResolver, TotpResolver, AttemptsResolver],
    // Only types these resolvers reach: the admin API's types (same process) stay out of this schema.
    orphanedTypes: [],
    // Client operations are authorized by API key in the context, never by @Authorized. type-graphql
    // still wants a checker once any resolver in the process uses @Authorized (the admin API's do).
    authChecker: () => false,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    // type-graphql insists on a pubSub; deliveryStatus brings its own `subscribe` over the EventBus.
    pubSub: noTopicPubSub,
  });
}

export function printSorted(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
