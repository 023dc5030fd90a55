import type { FastifyReply } from "fastify";
import type { AdminConfig } from "../../config/config";
import { COOKIE_PATH, SESSION_COOKIE } from "../auth/sessions";

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page can
 * make the browser send it — the first CSRF defence; Apollo's preflight rule is the second),
 * Secure when the gateway is reached over HTTPS, scoped to /admin.
 */
export function setSessionCookie(reply: FastifyReply, token: string, config: AdminConfig): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: COOKIE_PATH, httpOnly: true, sameSite: "strict", secure: config.secureCookies, maxAge: config.sessionMaxSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: AdminConfig): void {
  reply.clearCookie(SESSION_COOKIE, { path: COOKIE_PATH, httpOnly: true, sameSite: "strict", secure: config.secureCookies });
}
