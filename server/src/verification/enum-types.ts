import { registerEnumType } from "type-graphql";
import { Channel, DeliveryStatus, VerificationStatus } from "./enums";
import { SimSwapResult } from "../risk/sim-swap-result";
import { StepStatus } from "../workflow/step-status";

/** The shared enums' GraphQL names (enums.ts stays free of type-graphql); imported by every module whose types show them. */
registerEnumType(Channel, { name: "Channel" });
registerEnumType(VerificationStatus, { name: "VerificationStatus" });
registerEnumType(DeliveryStatus, { name: "DeliveryStatus" });
// Their own files stay free of type-graphql too: the worker thread uses them and loads no GraphQL.
registerEnumType(SimSwapResult, { name: "SimSwapResult" });
registerEnumType(StepStatus, { name: "StepStatus" });
