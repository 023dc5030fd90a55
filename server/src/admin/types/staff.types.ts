import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { StaffRole } from "../auth/roles";

export enum LoginStatus { OK = "OK", TOTP_REQUIRED = "TOTP_REQUIRED", TOTP_SETUP_REQUIRED = "TOTP_SETUP_REQUIRED" }
registerEnumType(LoginStatus, { name: "LoginStatus", description: "OK (signed in), or what the second factor still needs" });

@ObjectType({ description: "A dashboard user" })
export class StaffUser {
  @Field(() => ID) id: string;
  @Field(() => String) email: string;
  @Field(() => StaffRole) role: StaffRole;
  @Field(() => Boolean) totpEnabled: boolean;
  @Field(() => Boolean) disabled: boolean;
  @Field(() => Date, { nullable: true }) lastLoginAt: Date | null;
  @Field(() => Date) createdAt: Date;
}

@ObjectType()
export class StaffPage {
  @Field(() => [StaffUser]) data: StaffUser[];
  @Field(() => Int) total: number;
}

@ObjectType({ description: "OK sets the session cookie. TOTP_SETUP_REQUIRED: this ADMIN has no authenticator yet and enrols only through an enrolment link another ADMIN issues" })
export class LoginResult {
  @Field(() => LoginStatus) status: LoginStatus;
  @Field(() => StaffUser, { nullable: true }) user: StaffUser | null;
}

@ObjectType()
export class TotpSetup {
  @Field(() => String, { description: "otpauth:// URI for an authenticator app (it carries the secret)" }) uri: string;
  @Field(() => String, { description: "The URI as an SVG QR code" }) qrCodeSvg: string;
}

@ObjectType({ description: "A one-time enrolment link: shown once, valid for 24 hours, for one person" })
export class EnrolmentLink {
  @Field(() => String) url: string;
  @Field(() => Date) expiresAt: Date;
  @Field(() => StaffUser) staff: StaffUser;
}

@InputType()
export class StaffCreateInput {
  @Field(() => String) email: string;
  @Field(() => StaffRole) role: StaffRole;
  @Field(() => String, { description: "At least 12 characters" }) password: string;
}

@InputType()
export class StaffUpdateInput {
  @Field(() => StaffRole, { nullable: true }) role?: StaffRole | null;
  @Field(() => Boolean, { nullable: true }) disabled?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: "Removes the user's authenticator; they enrol again through an enrolment link" }) resetTotp?: boolean | null;
  @Field(() => String, { nullable: true }) password?: string | null;
}

@InputType()
export class StaffFilter {
  @Field(() => String, { nullable: true }) q?: string | null;
  @Field(() => StaffRole, { nullable: true }) role?: StaffRole | null;
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
}
