import { Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";

export enum FactorStatus { UNVERIFIED = "UNVERIFIED", VERIFIED = "VERIFIED", REVOKED = "REVOKED" }
registerEnumType(FactorStatus, { name: "FactorStatus" });

/** A factor as clients see it: never its secret. */
export interface TotpFactorView {
  id: string;
  subject: string;
  label: string | null;
  status: FactorStatus;
  createdAt: Date;
  verifiedAt: Date | null;
  lastUsedAt: Date | null;
}

@ObjectType({ description: "An authenticator app registered for one of the app's users" })
export class TotpFactor implements TotpFactorView {
  @Field(() => ID) id: string;
  @Field(() => String, { description: "The client app's own id for its user" }) subject: string;
  @Field(() => String, { nullable: true, description: 'Shown in the authenticator next to the issuer, e.g. "alice@example.com"' }) label: string | null;
  @Field(() => FactorStatus) status: FactorStatus;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) verifiedAt: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
}

@ObjectType()
export class TotpEnrollment {
  @Field(() => TotpFactor, { description: "UNVERIFIED until its first right code" }) factor: TotpFactor;
  @Field(() => String, { description: "Base32; returned once, never again" }) secret: string;
  @Field(() => String, { description: "otpauth://totp/<issuer>:<label>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30" }) uri: string;
  @Field(() => String, { description: "The uri as an SVG QR code, ready to show" }) qrCodeSvg: string;
}

@InputType()
export class EnrollTotpInput {
  @Field(() => String, { description: "The client app's own id for its user: 1 to 128 printable characters" }) subject: string;
  @Field(() => String, { nullable: true, description: "Shown in the authenticator; the subject when absent" }) label?: string | null;
  @Field(() => String, { nullable: true, description: "Defaults to the app's name" }) issuer?: string | null;
}

@InputType()
export class VerifyTotpInput {
  @Field(() => ID, { nullable: true, description: "The factor to check the code against ..." }) factorId?: string | null;
  @Field(() => String, { nullable: true, description: "... or every VERIFIED factor of this subject" }) subject?: string | null;
  @Field(() => String) code: string;
  @Field(() => String, { nullable: true, description: "The end user's IP as the calling backend saw it; the failure budgets key on it" })
  clientIp?: string | null;
}
