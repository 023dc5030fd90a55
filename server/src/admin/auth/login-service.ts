import { ipLimitKey, maskIp } from "../../protection/client-ip";
import type { AdminConfig } from "../../config/config";
import { badInput, unauthenticated } from "../../errors";
import type { LimitRule, RateLimits } from "../../protection/rate-limits";
import { maskDestination } from "../../verification/destination";
import type { AuditLog } from "./audit-log";
import { verifyPassword } from "./passwords";
import type { Staff } from "./roles";
import type { SessionStore } from "./sessions";
import type { StaffCredentials, StaffStore } from "./staff-store";
import type { Totp } from "./totp";

export type LoginStatus = "OK" | "TOTP_REQUIRED" | "TOTP_SETUP_REQUIRED";

export interface LoginOutcome {
  status: LoginStatus;
  staff?: Staff;
  /** Only with OK: the session token for the cookie. */
  token?: string;
}

const WINDOW_SECONDS = 15 * 60;
const WRONG = "Wrong e-mail address or password";

/**
 * Signing in: rate limits per IP (an IPv6 address by its /64) and per e-mail address (counted
 * before the password is checked, so guessing is slow whether or not the address exists),
 * argon2id passwords, and a TOTP second factor. Every staff member, SUPPORT as much as ADMIN
 * (SUPPORT reads verifications and timelines too), must have one when ADMIN_REQUIRE_TOTP is on
 * (the default in production); one without is refused here and enrols only through a link an
 * ADMIN issues (StaffEnrolment) — never on this form, where whoever knows the password would get
 * to pick the authenticator.
 */
export class LoginService {
  readonly perEmail: LimitRule;
  readonly perIp: LimitRule;

  constructor(
    private readonly staff: StaffStore,
    private readonly sessions: SessionStore,
    readonly totp: Totp,
    private readonly limits: RateLimits,
    private readonly audit: AuditLog,
    private readonly config: AdminConfig,
  ) {
    this.perEmail = { name: "admin_login_per_email", points: config.loginMaxPerEmail, durationSeconds: WINDOW_SECONDS };
    this.perIp = { name: "admin_login_per_ip", points: config.loginMaxPerIp, durationSeconds: WINDOW_SECONDS };
  }

  async login(input: { email: string; password: string; totpCode?: string | null }, ip: string | null, userAgent: string | null): Promise<LoginOutcome> {
    if (input.totpCode != null && !/^\d{6}$/.test(input.totpCode)) throw badInput("totpCode", "Authenticator codes are 6 digits");
    const user = await this.checkPassword(input.email, input.password, ip);

    if (user.totpSecretCipher) {
      if (!input.totpCode) return { status: "TOTP_REQUIRED" };
      if (!(await this.checkCurrentCode(user, input.totpCode))) throw unauthenticated("Wrong authenticator code");
    } else if (this.config.requireTotp) {
      await this.audit.record({ actor: user, action: "staff.login_refused", targetType: "staff", targetId: user.id, ip, after: { reason: "no_authenticator" } });
      return { status: "TOTP_SETUP_REQUIRED" };
    }
    return this.signIn(user, ip, userAgent);
  }

  /**
   * The rate limits, then the password: the user, or UNAUTHENTICATED alike for an unknown
   * address, a wrong password and a disabled user. Every mutation that takes a password
   * (sign-in, enrolment links, replacing an authenticator) comes through here.
   */
  async checkPassword(rawEmail: string, password: string, ip: string | null): Promise<StaffCredentials> {
    const email = rawEmail.trim().toLowerCase();
    if (!email || email.length > 320) throw badInput("email", "Give the e-mail address you were registered with");
    // IPv6 counts by /64 (one subscriber holds a whole /64), as the client API's per-IP limits do.
    await this.limits.consume(this.perIp, { appId: null, key: `ip:${ip ? ipLimitKey(ip) : "unknown"}`, keyMasked: ip ? maskIp(ip) : "unknown" });
    await this.limits.consume(this.perEmail, this.emailKey(email));
    const user = await this.staff.findByEmail(email);
    const passwordOk = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !passwordOk || user.disabled) throw unauthenticated(WRONG);
    return user;
  }

  /** Whether `code` is the user's current authenticator code; the step is used up (no replay). */
  async checkCurrentCode(user: StaffCredentials, code: string): Promise<boolean> {
    if (!user.totpSecretCipher) return false;
    const step = await this.totp.check(this.totp.open(user.id, user.totpSecretCipher), code, user.totpLastStep);
    return step !== null && (await this.staff.useTotpStep(user.id, step));
  }

  /** A new session for a user who proved everything sign-in asks. */
  async signIn(user: Staff, ip: string | null, userAgent: string | null): Promise<LoginOutcome> {
    // A successful sign-in clears the address's failures; the per-IP count keeps running.
    await this.limits.reset(this.perEmail, this.emailKey(user.email.toLowerCase()).key);
    const token = await this.sessions.create(user.id, ip, userAgent);
    await this.staff.loggedIn(user.id);
    await this.audit.record({ actor: user, action: "staff.login", targetType: "staff", targetId: user.id, ip });
    return { status: "OK", staff: await this.staff.get(user.id), token };
  }

  private emailKey(email: string) {
    return { appId: null, key: `email:${email}`, keyMasked: maskDestination(email) };
  }
}
