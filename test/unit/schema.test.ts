import "reflect-metadata";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildClientSchema, printSorted } from "../../server/src/graphql/schema";

describe("schema/schema.graphql", () => {
  it("is the sorted print of the schema the code builds (run `npm run schema` after changing the API)", async () => {
    const emitted = printSorted(await buildClientSchema());
    expect(readFileSync("schema/schema.graphql", "utf8")).toBe(emitted);
  });

  it("has the contract's operations and types", async () => {
    const text = printSorted(await buildClientSchema());
    for (const line of [
      "requestOtp(input: RequestOtpInput!): Verification!",
      "verifyOtp(input: VerifyOtpInput!): VerifyOtpResult!",
      "resendOtp(channel: Channel, verificationId: ID!): Verification!",
      "cancelOtp(verificationId: ID!): Verification!",
      "verification(id: ID!): Verification",
      "deliveryStatus(verificationId: ID!): DeliveryEvent!",
      "scalar DateTime",
      "enum DeliveryStatus {",
    ]) expect(text).toContain(line);
    const channel = /enum Channel \{([^}]*)\}/.exec(text)?.[1].split(/\s+/).filter(Boolean).sort();
    expect(channel).toEqual(["EMAIL", "RCS", "SMS", "TELEGRAM", "VOICE", "WHATSAPP"]);
  });
});
