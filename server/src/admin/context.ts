import type { FastifyReply } from "fastify";
import type { AdminServices } from "./admin-services";
import type { Staff } from "./auth/roles";

/** What every admin resolver receives: who is signed in (or nobody), their IP, the services. */
export interface AdminContext {
  staff: Staff | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  admin: AdminServices;
  /** Present over HTTP (login and logout set and clear the cookie); absent over WebSocket. */
  reply?: FastifyReply;
}

/** The signed-in staff member; resolvers behind @Authorized can rely on it. */
export function staffOf(ctx: AdminContext): Staff {
  if (!ctx.staff) throw new Error("@Authorized resolver reached without a staff member");
  return ctx.staff;
}
