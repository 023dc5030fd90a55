import { createHash, randomBytes } from "node:crypto";
import QRCode from "qrcode";
import type { DataSource } from "typeorm";
import { badInput, GatewayError } from "../../errors";
import type { Actor, AuditLog } from "./audit-log";
import type { LoginOutcome, LoginService } from "./login-service";
import type { Staff } from "./roles";
import type { SessionStore } from "./sessions";
import type { StaffCredentials, StaffStore } from "./staff-store";

/** How long an enrolment link works. */
export const ENROLMENT_LINK_HOURS = 24;

export interface IssuedLink { url: string; expiresAt: Date; staff: Staff }
export interface TotpSetupData { uri: string; qrCodeSvg: string }

const hashToken = (token: string) => createHash("sha256").update(token).digest();
const CODE = /^\d{6}$/;
const NOT_VALID = "This enrolment link is not valid for this account (used, expired, replaced by a newer one, or issued to someone else): ask an ADMIN for a new one";

/**
 * How staff get an authenticator, and change it, without trusting whoever holds the password:
 *
 * - **Enrolment links.** An ADMIN (the Staff page) or an operator (`otp-gateway admin
 *   enrolment-link`) issues a one-time link for one person. It carries 256 random bits, of which
 *   only the SHA-256 is stored; it expires after ENROLMENT_LINK_HOURS, works once, and a newer
 *   link for the same person revokes it. Redeeming it takes that person's e-mail and password
 *   too (a leaked link alone enrols nobody; someone else's password doesn't fit it): the first
 *   step seals a new secret onto the link and shows it, the second proves it with a code,
 *   installs it (replacing any earlier authenticator), uses the link up and signs the person in.
 * - **Replacing an authenticator** from a session takes the password and a current code.
 *
 * Every step — issued, started, enrolled, refused, replacement started, replaced — is audited.
 */
export class StaffEnrolment {
  constructor(
    private readonly ds: DataSource,
    private readonly staff: StaffStore,
    private readonly login: LoginService,
    private readonly sessions: SessionStore,
    private readonly audit: AuditLog,
    /** The dashboard's public address, e.g. https://otp.example.com/admin/ */
    private readonly dashboardUrl: string,
  ) {}

  issue(staffId: string, actor: Actor, ip: string | null): Promise<IssuedLink> {
    return issueEnrolmentLink({ ds: this.ds, staff: this.staff, audit: this.audit, dashboardUrl: this.dashboardUrl }, staffId, actor, ip);
  }

  /** Step one: the link's owner, signed in by e-mail and password, gets a new secret to scan. */
  async begin(token: string, email: string, password: string, ip: string | null): Promise<TotpSetupData> {
    checkToken(token);
    const user = await this.login.checkPassword(email, password, ip);
    const link = await this.usableLink(token, user, ip);
    const secret = this.login.totp.newSecret();
    await this.ds.query(`UPDATE admin_enrolment_links SET pending_cipher = $2 WHERE id = $1`, [link.id, this.login.totp.seal(user.id, secret)]);
    await this.audit.record({ actor: user, action: "staff.totp_enrolment_started", targetType: "staff", targetId: user.id, ip, after: { linkId: link.id } });
    return setupData(this.login.totp.uri(secret, user.email));
  }

  /** Step two: the first code from the scanned secret installs it, uses the link up and signs in. */
  async finish(token: string, email: string, password: string, code: string, ip: string | null, userAgent: string | null): Promise<LoginOutcome> {
    checkToken(token);
    if (!CODE.test(code)) throw badInput("code", "Authenticator codes are 6 digits");
    const user = await this.login.checkPassword(email, password, ip);
    const link = await this.usableLink(token, user, ip);
    if (!link.pending_cipher) throw badInput("token", "Scan the secret first (the link's first step)");
    const step = await this.login.totp.check(this.login.totp.open(user.id, link.pending_cipher), code, null);
    if (step === null) throw badInput("code", "Wrong authenticator code");
    await this.ds.transaction(async (m) => {
      // Used once: two tabs finishing at the same moment can't both install their secret. The
      // link's sealed copy of the secret goes with it: the secret now lives on the staff row only.
      const used = await m.query(
        `UPDATE admin_enrolment_links SET used_at = now(), pending_cipher = NULL WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now() RETURNING id`, [link.id]);
      if (!used.length) throw badInput("token", NOT_VALID);
      await m.query(
        `UPDATE admin_users SET totp_secret_cipher = $2, totp_pending_cipher = NULL, totp_last_step = $3, updated_at = now() WHERE id = $1`,
        [user.id, link.pending_cipher, step],
      );
      await this.audit.record({
        actor: user, action: "staff.totp_enrolled", targetType: "staff", targetId: user.id, ip,
        after: { via: "enrolment_link", linkId: link.id, replacedEarlier: Boolean(user.totpSecretCipher) },
      }, m);
    });
    // A new authenticator ends every earlier session, as other changes to how one signs in do.
    await this.sessions.revokeAllOf(user.id);
    return this.login.signIn(user, ip, userAgent);
  }

  /** Replacing one's authenticator from a session: the password and a current code, then confirmReplacement with the new one. */
  async startReplacement(staff: Staff, password: string, currentCode: string, ip: string | null): Promise<TotpSetupData> {
    const current = await this.staff.credentials(staff.id);
    if (!current.totpSecretCipher) throw badInput("currentCode", "You have no authenticator to replace: ask an ADMIN for an enrolment link");
    if (!CODE.test(currentCode)) throw badInput("currentCode", "Authenticator codes are 6 digits");
    const user = await this.login.checkPassword(staff.email, password, ip).catch((err: unknown) => {
      // Signed in already: a wrong password is bad input, not the end of the session.
      if (err instanceof GatewayError && err.code === "UNAUTHENTICATED") throw badInput("password", "Wrong password");
      throw err;
    });
    if (!(await this.login.checkCurrentCode(user, currentCode))) {
      await this.audit.record({ actor: staff, action: "staff.totp_replacement_refused", targetType: "staff", targetId: staff.id, ip, after: { reason: "wrong_code" } });
      throw badInput("currentCode", "Wrong authenticator code");
    }
    const secret = this.login.totp.newSecret();
    await this.staff.setPendingTotp(staff.id, this.login.totp.seal(staff.id, secret));
    await this.audit.record({ actor: staff, action: "staff.totp_replacement_started", targetType: "staff", targetId: staff.id, ip });
    return setupData(this.login.totp.uri(secret, staff.email));
  }

  async confirmReplacement(staff: Staff, code: string, ip: string | null, keepSession: string | null): Promise<Staff> {
    const user = await this.staff.credentials(staff.id);
    if (!user.totpPendingCipher) throw badInput("code", "Start replacing your authenticator first (password and current code)");
    const step = await this.login.totp.check(this.login.totp.open(user.id, user.totpPendingCipher), code, null);
    if (step === null || !(await this.staff.activatePendingTotp(user.id, step))) throw badInput("code", "Wrong authenticator code");
    await this.audit.record({ actor: staff, action: "staff.totp_replaced", targetType: "staff", targetId: staff.id, ip });
    await this.sessions.revokeAllOf(staff.id, keepSession);
    return this.staff.get(staff.id);
  }

  /** The link behind `token` if it belongs to `user` and is still good; otherwise an audited refusal. */
  private async usableLink(token: string, user: StaffCredentials, ip: string | null): Promise<{ id: string; pending_cipher: Buffer | null }> {
    const [link] = await this.ds.query(
      `SELECT id, user_id, pending_cipher, used_at, revoked_at, expires_at <= now() AS expired FROM admin_enrolment_links WHERE token_hash = $1`, [hashToken(token)]);
    const reason = !link ? "unknown" : link.user_id !== user.id ? "other_user" : link.used_at ? "used" : link.revoked_at ? "replaced" : link.expired ? "expired" : null;
    if (reason) {
      await this.audit.record({ actor: user, action: "staff.enrolment_refused", targetType: "staff", targetId: user.id, ip, after: { reason, linkId: link?.id ?? null } });
      throw badInput("token", NOT_VALID);
    }
    return link;
  }
}

function checkToken(token: string): void {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw badInput("token", NOT_VALID);
}

async function setupData(uri: string): Promise<TotpSetupData> {
  return { uri, qrCodeSvg: await QRCode.toString(uri, { type: "svg", margin: 1 }) };
}

/**
 * Issues a one-time enrolment link for one staff member, revoking their earlier unused links, in
 * one audited transaction. The dashboard (through StaffEnrolment) and the CLI both issue here.
 */
export async function issueEnrolmentLink(
  deps: { ds: DataSource; staff: StaffStore; audit: AuditLog; dashboardUrl: string }, staffId: string, actor: Actor, ip: string | null,
): Promise<IssuedLink> {
  const target = await deps.staff.get(staffId);
  if (target.disabled) throw badInput("staffId", "This user is disabled: enable them before issuing an enrolment link");
  const token = randomBytes(32).toString("base64url");
  const expiresAt = await deps.ds.transaction(async (m) => {
    const revoked: Array<{ id: string }> = await m.query(
      `UPDATE admin_enrolment_links SET revoked_at = now(), pending_cipher = NULL WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id`, [target.id]);
    const [row] = await m.query(
      `INSERT INTO admin_enrolment_links (user_id, token_hash, issued_by, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING id, expires_at`,
      [target.id, hashToken(token), actor.email, ENROLMENT_LINK_HOURS],
    );
    await deps.audit.record({
      actor, action: "staff.enrolment_link_issued", targetType: "staff", targetId: target.id, ip,
      after: { linkId: row.id, expiresAt: new Date(row.expires_at).toISOString(), revokedLinks: revoked.map((r) => r.id) },
    }, m);
    return new Date(row.expires_at);
  });
  // In the URL's fragment: browsers send neither it nor its query to the server or in Referer headers.
  return { url: `${deps.dashboardUrl}#/login?enrol=${token}`, expiresAt, staff: target };
}
