import { createHash, randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { toStaff } from "./staff-store";
import type { Staff } from "./roles";

/** The cookie's name; its path is /admin, so it never travels to the client API. */
export const SESSION_COOKIE = "otpg_admin_session";
export const COOKIE_PATH = "/admin";

export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
  /** ADMIN_REQUIRE_TOTP: a session counts only while its staff member (any role) has an authenticator (one from before the policy, or after a reset, ends). */
  staffNeedTotp?: boolean;
}
export interface ActiveSession { sessionId: string; staff: Staff }

const hashToken = (token: string) => createHash("sha256").update(token).digest();

/**
 * Dashboard sessions. The cookie carries 256 random bits; the database keeps only their
 * SHA-256, so a leaked table opens no session. A session ends after `idleSeconds` without a
 * request, after `maxSeconds` in any case, on logout, and when its user is disabled.
 */
export class SessionStore {
  constructor(private readonly ds: DataSource, readonly limits: SessionLimits) {}

  async create(userId: string, ip: string | null, userAgent: string | null): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    await this.ds.query(`INSERT INTO admin_sessions (token_hash, user_id, ip, user_agent) VALUES ($1, $2, $3, $4)`, [
      hashToken(token), userId, ip, userAgent?.slice(0, 300) ?? null,
    ]);
    return token;
  }

  /**
   * The session's staff member; null when unknown, ended or expired. A request made by a person
   * slides the idle window (`touch`); background traffic (polling, live refreshes of a page
   * nobody is looking at) must not keep an unattended session alive.
   */
  async resolve(token: string | undefined | null, touch = true): Promise<ActiveSession | null> {
    if (!token || token.length > 100) return null;
    const rows = await this.ds.query(
      `WITH s AS (
         UPDATE admin_sessions SET last_seen_at = CASE WHEN $4 THEN now() ELSE last_seen_at END
          WHERE token_hash = $1 AND revoked_at IS NULL
            AND last_seen_at > now() - make_interval(secs => $2)
            AND created_at > now() - make_interval(secs => $3)
          RETURNING id, user_id
       )
       SELECT s.id AS session_id, u.* FROM s JOIN admin_users u ON u.id = s.user_id
        WHERE u.disabled_at IS NULL AND NOT ($5 AND u.totp_secret_cipher IS NULL)`,
      [hashToken(token), this.limits.idleSeconds, this.limits.maxSeconds, touch, this.limits.staffNeedTotp === true],
    );
    return rows.length ? { sessionId: rows[0].session_id, staff: toStaff(rows[0]) } : null;
  }

  async revoke(sessionId: string): Promise<void> {
    await this.ds.query(`UPDATE admin_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
  }

  /** Ends every session of a user (disabled, role or password changed), except `keep` (the one making the change). */
  async revokeAllOf(userId: string, keep: string | null = null): Promise<void> {
    await this.ds.query(`UPDATE admin_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2`, [userId, keep]);
  }
}
