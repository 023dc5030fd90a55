import "reflect-metadata";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildAdminSchema } from "../../server/src/admin/schema";
import { buildClientSchema, printSorted } from "../../server/src/graphql/schema";

describe("schema/admin.graphql", () => {
  it("is the sorted print of the admin schema the code builds (run `otp-gateway admin schema --out schema/admin.graphql` after changing it)", async () => {
    const emitted = printSorted(await buildAdminSchema());
    expect(readFileSync("schema/admin.graphql", "utf8")).toBe(emitted);
  });

  it("and the client schema don't leak into each other", async () => {
    const admin = await buildAdminSchema();
    const client = await buildClientSchema();
    for (const clientOnly of ["VerifyOtpResult", "RequestOtpInput", "DeliveryEvent", "Verification", "TotpEnrollment", "EnrollTotpInput"]) expect(admin.getType(clientOnly)).toBeUndefined();
    for (const adminOnly of ["StaffUser", "TimelineEntry", "BlockRecord", "AppRecord", "AuditRecord", "LoginResult"]) expect(client.getType(adminOnly)).toBeUndefined();
    expect(Object.keys(admin.getMutationType()!.getFields())).not.toContain("requestOtp");
    expect(Object.keys(client.getQueryType()!.getFields()).sort()).toEqual(["totpFactors", "verification", "verificationAttempts", "verificationSummary"]);
  });

  it("never exposes a code or code hash", async () => {
    const text = printSorted(await buildAdminSchema());
    expect(text).not.toMatch(/\bcode(Hash|Cipher)\b/i);
    expect(text).not.toMatch(/\bcode_hash\b|\bsecretHash\b|\bpasswordHash\b/);
    // A TOTP factor's secret is shown once, to the client app that enrolled it; never to staff.
    // (TotpSetup is a staff member's own new authenticator, shown to them while they enrol it.)
    const withoutOwnSetup = text.replace(/type TotpSetup \{[^}]*\}/, "");
    expect(text).toMatch(/type TotpSetup \{[^}]*qrCodeSvg/);
    expect(withoutOwnSetup).not.toMatch(/\bsecret(Cipher)?\s*:|qrCodeSvg/i);
  });
});
