import type { AdminConfig } from "../../config/config";
import { badInput, unauthenticated } from "../../errors";
import type { LimitRule, RateLimits } from "../../ratelimit/rate-limits";
import { ipLimitKey, maskIp } from "../../abuse/client-ip";
import { maskDestination } from "../../verification/destination";
import type { AuditLog } from "./audit-log";
import { verifyPassword } from "./passwords";
import { StaffRole, type Staff } from "./roles";
import type { SessionStore } from "./sessions";
import type { StaffStore } from "./staff-store";
import type { Totp } from "./totp";

export type LoginStatus = "OK" | "TOTP_REQUIRED" | "TOTP_SETUP_REQUIRED";

export interface LoginOutcome {
  status: LoginStatus;
  staff?: Staff;
  /** Only with OK: the session token for the cookie. */
  token?: string;
  /** Only with TOTP_SETUP_REQUIRED: the otpauth:// URI to scan before signing in with a code. */
  totpSetupUri?: string;
}

const WINDOW_SECONDS = 15 * 60;
const WRONG = "Wrong e-mail address or password";

/**
 * Signing in: rate limits per IP and per e-mail address (counted before the password is
 * checked, so guessing is slow whether or not the address exists), argon2id passwords, and a
 * TOTP second factor — required for ADMIN when ADMIN_REQUIRE_TOTP is set, in which case an
 * ADMIN without one enrolls on this same form (scan, then sign in with the first code).
 */
export class LoginService {
  readonly perEmail: LimitRule;
  readonly perIp: LimitRule;

  constructor(
    private readonly staff: StaffStore,
    private readonly sessions: SessionStore,
    private readonly totp: Totp,
    private readonly limits: RateLimits,
    private readonly audit: AuditLog,
    private readonly config: AdminConfig,
  ) {
    this.perEmail = { name: "admin_login_per_email", points: config.loginMaxPerEmail, durationSeconds: WINDOW_SECONDS };
    this.perIp = { name: "admin_login_per_ip", points: config.loginMaxPerIp, durationSeconds: WINDOW_SECONDS };
  }

  async login(input: { email: string; password: string; totpCode?: string | null }, ip: string | null, userAgent: string | null): Promise<LoginOutcome> {
    const email = input.email.trim().toLowerCase();
    if (!email || email.length > 320) throw badInput("email", "Give the e-mail address you were registered with");
    if (input.totpCode != null && !/^\d{6}$/.test(input.totpCode)) throw badInput("totpCode", "Authenticator codes are 6 digits");
    // IPv6 counts by /64 (one subscriber holds a whole /64), as the client API's per-IP limits do.
    await this.limits.consume(this.perIp, { appId: null, key: `ip:${ip ? ipLimitKey(ip) : "unknown"}`, keyMasked: ip ? maskIp(ip) : "unknown" });
    const emailKey = { appId: null, key: `email:${email}`, keyMasked: maskDestination(email) };
    await this.limits.consume(this.perEmail, emailKey);

    const user = await this.staff.findByEmail(email);
    const passwordOk = await verifyPassword(user?.passwordHash ?? null, input.password);
    if (!user || !passwordOk || user.disabled) throw unauthenticated(WRONG);

    if (user.totpSecretCipher) {
      if (!input.totpCode) return { status: "TOTP_REQUIRED" };
      const step = await this.totp.check(this.totp.open(user.id, user.totpSecretCipher), input.totpCode, user.totpLastStep);
      if (step === null || !(await this.staff.useTotpStep(user.id, step))) throw unauthenticated("Wrong authenticator code");
    } else if (user.role === StaffRole.ADMIN && this.config.requireTotpForAdmin) {
      const pending = user.totpPendingCipher ? this.totp.open(user.id, user.totpPendingCipher) : null;
      if (!pending || !input.totpCode) {
        const secret = pending ?? this.totp.newSecret();
        if (!pending) await this.staff.setPendingTotp(user.id, this.totp.seal(user.id, secret));
        return { status: "TOTP_SETUP_REQUIRED", totpSetupUri: this.totp.uri(secret, user.email) };
      }
      const step = await this.totp.check(pending, input.totpCode, null);
      if (step === null || !(await this.staff.activatePendingTotp(user.id, step))) throw unauthenticated("Wrong authenticator code");
      await this.audit.record({ actor: user, action: "staff.totp_enrolled", targetType: "staff", targetId: user.id, ip });
    }

    // A successful sign-in clears the address's failures; the per-IP count keeps running.
    await this.limits.reset(this.perEmail, emailKey.key);
    const token = await this.sessions.create(user.id, ip, userAgent);
    await this.staff.loggedIn(user.id);
    await this.audit.record({ actor: user, action: "staff.login", targetType: "staff", targetId: user.id, ip });
    return { status: "OK", staff: await this.staff.get(user.id), token };
  }

  /** Self-service enrollment from a signed-in session: a new pending secret to scan. */
  async startTotpSetup(staff: Staff): Promise<string> {
    const secret = this.totp.newSecret();
    await this.staff.setPendingTotp(staff.id, this.totp.seal(staff.id, secret));
    return this.totp.uri(secret, staff.email);
  }

  async confirmTotpSetup(staff: Staff, code: string, ip: string | null): Promise<Staff> {
    const user = await this.staff.credentials(staff.id);
    if (!user.totpPendingCipher) throw badInput("code", "Start the authenticator setup first");
    const step = await this.totp.check(this.totp.open(user.id, user.totpPendingCipher), code, null);
    if (step === null || !(await this.staff.activatePendingTotp(user.id, step))) throw badInput("code", "Wrong authenticator code");
    await this.audit.record({ actor: staff, action: "staff.totp_enrolled", targetType: "staff", targetId: staff.id, ip });
    return this.staff.get(staff.id);
  }
}
