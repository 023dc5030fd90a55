import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema, type PubSub } from "type-graphql";
import { DateTimeScalar } from "../graphql/scalars";
import { adminAuthChecker } from "./auth/auth-checker";
import { AppsResolver } from "./resolvers/apps.resolver";
import { AuthResolver } from "./resolvers/auth.resolver";
import { BlocksResolver } from "./resolvers/blocks.resolver";
import { SafelistResolver } from "./resolvers/safelist.resolver";
import { DeliveryLogResolver } from "./resolvers/deliveries.resolver";
import { LookupsResolver } from "./resolvers/lookups.resolver";
import { OutboxResolver } from "./resolvers/outbox.resolver";
import { StatsResolver } from "./resolvers/providers.resolver";
import { SpendResolver } from "./resolvers/spend.resolver";
import { StaffResolver } from "./resolvers/staff.resolver";
import { TotpAdminResolver } from "./resolvers/totp.resolver";
import { VerificationAdminResolver } from "./resolvers/verifications.resolver";
import { WebhooksResolver } from "./resolvers/webhooks.resolver";
import "../verification/enum-types"; // the shared enums' GraphQL names

const noTopicPubSub: PubSub = {
  publish: () => undefined,
  subscribe: () => {
    throw new Error("topic subscriptions are not used; deliveryLog brings its own `subscribe`");
  },
};

/**
 * The admin API's schema: only the admin resolvers, and no orphaned types, so neither this
 * schema nor the client's carries the other's types. `schema/admin.graphql` is its sorted print.
 */
export function buildAdminSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      AuthResolver,
      VerificationAdminResolver,
      DeliveryLogResolver,
      BlocksResolver,
      SafelistResolver,
      StatsResolver,
      AppsResolver,
      StaffResolver,
      OutboxResolver,
      LookupsResolver,
      WebhooksResolver,
      TotpAdminResolver,
      SpendResolver,
    ],
    orphanedTypes: [],
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    authChecker: adminAuthChecker,
    authMode: "error",
    validate: false,
    pubSub: noTopicPubSub,
  });
}
