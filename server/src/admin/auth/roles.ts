import { registerEnumType } from "type-graphql";

/** Dashboard roles. SUPPORT reads (destinations masked) and lifts blocks; ADMIN also manages apps, keys and staff. */
export enum StaffRole { ADMIN = "ADMIN", SUPPORT = "SUPPORT" }

registerEnumType(StaffRole, { name: "StaffRole", description: "ADMIN manages apps, keys and staff; SUPPORT investigates with destinations masked" });

export const isStaffRole = (v: unknown): v is StaffRole => v === StaffRole.ADMIN || v === StaffRole.SUPPORT;

/** A signed-in staff member as the resolvers see them (never the password hash or TOTP secret). */
export interface Staff {
  id: string;
  email: string;
  role: StaffRole;
  totpEnabled: boolean;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}
