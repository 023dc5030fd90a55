import { registerEnumType } from "type-graphql";
import { Channel, DeliveryStatus, VerificationStatus } from "./enums";

/** The shared enums' GraphQL names (enums.ts stays free of type-graphql); imported by every module whose types show them. */
registerEnumType(Channel, { name: "Channel" });
registerEnumType(VerificationStatus, { name: "VerificationStatus" });
registerEnumType(DeliveryStatus, { name: "DeliveryStatus" });
