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

@ObjectType()
export class LoginResult {
  @Field(() => LoginStatus) status: LoginStatus;
  @Field(() => StaffUser, { nullable: true }) user: StaffUser | null;
  @Field(() => String, { nullable: true, description: "With TOTP_SETUP_REQUIRED: the otpauth:// URI to add to an authenticator app" })
  totpSetupUri: string | null;
}

@ObjectType()
export class TotpSetup {
  @Field(() => String, { description: "otpauth:// URI for an authenticator app" }) uri: string;
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
  @Field(() => Boolean, { nullable: true, description: "Removes the user's authenticator; they enroll again at the next sign-in" }) resetTotp?: boolean | null;
  @Field(() => String, { nullable: true }) password?: string | null;
}

@InputType()
export class StaffFilter {
  @Field(() => String, { nullable: true }) q?: string | null;
  @Field(() => StaffRole, { nullable: true }) role?: StaffRole | null;
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
}
