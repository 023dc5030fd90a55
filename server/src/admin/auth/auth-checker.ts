import type { AuthChecker } from "type-graphql";
import { forbidden, unauthenticated } from "../../errors";
import type { AdminContext } from "../context";
import type { StaffRole } from "./roles";

/**
 * type-graphql's check for every @Authorized resolver and field: no session is UNAUTHENTICATED,
 * a session whose role isn't listed is FORBIDDEN. Roles are enforced here, on the server;
 * the dashboard hiding a menu entry is only a convenience.
 */
export const adminAuthChecker: AuthChecker<AdminContext, StaffRole> = ({ context }, roles) => {
  if (!context.staff) throw unauthenticated("Sign in to the dashboard first");
  if (roles.length && !roles.includes(context.staff.role)) throw forbidden(`This needs the ${roles.join(" or ")} role`);
  return true;
};
