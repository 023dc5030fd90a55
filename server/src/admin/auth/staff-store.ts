import type { DataSource } from "typeorm";
import { badInput, notFound } from "../../errors";
import { isUuid } from "../../verification/input-rules";
import { hashPassword, passwordProblem } from "./passwords";
import { isStaffRole, StaffRole, type Staff } from "./roles";

/** A staff row with what only the login flow may see. */
export interface StaffCredentials extends Staff {
  passwordHash: string;
  totpSecretCipher: Buffer | null;
  totpPendingCipher: Buffer | null;
  totpLastStep: number | null;
}

const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;

export function toStaff(r: Record<string, any>): Staff {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    totpEnabled: Boolean(r.totp_secret_cipher),
    disabled: Boolean(r.disabled_at),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at) : null,
    createdAt: new Date(r.created_at),
  };
}

export function checkEmail(raw: string, field = "email"): string {
  const email = raw.trim();
  if (!EMAIL.test(email) || email.length > 320) throw badInput(field, "Not a valid e-mail address");
  return email;
}

const SORTS: Record<string, string> = { email: "lower(email)", role: "role", createdAt: "created_at", lastLoginAt: "last_login_at" };

/** Staff users in SQL. E-mail addresses are unique regardless of case. */
export class StaffStore {
  constructor(private readonly ds: DataSource) {}

  async create(input: { email: string; role: StaffRole; password: string }): Promise<Staff> {
    const email = checkEmail(input.email);
    if (!isStaffRole(input.role)) throw badInput("role", "Role must be ADMIN or SUPPORT");
    const problem = passwordProblem(input.password);
    if (problem) throw badInput("password", problem);
    if (await this.findByEmail(email)) throw badInput("email", "A staff user with this e-mail address exists");
    const rows = await this.ds.query(
      `INSERT INTO admin_users (email, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *`,
      [email, await hashPassword(input.password), input.role],
    );
    if (!rows.length) throw badInput("email", "A staff user with this e-mail address exists");
    return toStaff(rows[0]);
  }

  async findByEmail(email: string): Promise<StaffCredentials | null> {
    const rows = await this.ds.query(`SELECT * FROM admin_users WHERE lower(email) = lower($1)`, [email.trim()]);
    return rows.length ? credentials(rows[0]) : null;
  }

  async get(id: string): Promise<Staff> {
    if (!isUuid(id)) throw notFound("Staff user not found");
    const rows = await this.ds.query(`SELECT * FROM admin_users WHERE id = $1`, [id]);
    if (!rows.length) throw notFound("Staff user not found");
    return toStaff(rows[0]);
  }

  async credentials(id: string): Promise<StaffCredentials> {
    const rows = await this.ds.query(`SELECT * FROM admin_users WHERE id = $1`, [id]);
    if (!rows.length) throw notFound("Staff user not found");
    return credentials(rows[0]);
  }

  async list(opts: { page: number; perPage: number; sortField?: string | null; sortOrder?: string | null; q?: string | null; role?: string | null; ids?: string[] | null }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.q) where.push(`email ILIKE '%' || $${params.push(opts.q.replace(/[%_\\]/g, "\\$&"))} || '%'`);
    if (opts.role) where.push(`role = $${params.push(opts.role)}`);
    if (opts.ids) where.push(`id::text = ANY($${params.push(opts.ids)})`);
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const order = `${SORTS[opts.sortField ?? ""] ?? "lower(email)"} ${opts.sortOrder === "DESC" ? "DESC" : "ASC"} NULLS LAST, id`;
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM admin_users ${clause}`, params);
    const rows = await this.ds.query(
      `SELECT * FROM admin_users ${clause} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, opts.perPage, (opts.page - 1) * opts.perPage],
    );
    return { data: rows.map(toStaff), total };
  }

  async countActiveAdmins(exceptId?: string): Promise<number> {
    const [{ n }] = await this.ds.query(
      `SELECT count(*)::int AS n FROM admin_users WHERE role = 'ADMIN' AND disabled_at IS NULL AND id IS DISTINCT FROM $1`,
      [exceptId ?? null],
    );
    return n;
  }

  async update(id: string, change: { role?: StaffRole | null; disabled?: boolean | null; resetTotp?: boolean | null; password?: string | null }): Promise<Staff> {
    if (change.role != null && !isStaffRole(change.role)) throw badInput("role", "Role must be ADMIN or SUPPORT");
    let passwordHash: string | null = null;
    if (change.password != null) {
      const problem = passwordProblem(change.password);
      if (problem) throw badInput("password", problem);
      passwordHash = await hashPassword(change.password);
    }
    const rows = await this.ds.query(
      `WITH u AS (UPDATE admin_users SET
          role = coalesce($2, role),
          disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END,
          totp_secret_cipher = CASE WHEN $4 THEN NULL ELSE totp_secret_cipher END,
          totp_pending_cipher = CASE WHEN $4 THEN NULL ELSE totp_pending_cipher END,
          totp_last_step = CASE WHEN $4 THEN NULL ELSE totp_last_step END,
          password_hash = coalesce($5, password_hash),
          updated_at = now()
        WHERE id = $1 RETURNING *) SELECT * FROM u`,
      [id, change.role ?? null, change.disabled ?? null, change.resetTotp === true, passwordHash],
    );
    if (!rows.length) throw notFound("Staff user not found");
    return toStaff(rows[0]);
  }

  async setPendingTotp(id: string, cipher: Buffer): Promise<void> {
    await this.ds.query(`UPDATE admin_users SET totp_pending_cipher = $2, updated_at = now() WHERE id = $1`, [id, cipher]);
  }

  /** Makes the pending secret the active one, recording the step that proved it. */
  async activatePendingTotp(id: string, step: number): Promise<boolean> {
    const rows = await this.ds.query(
      `WITH u AS (UPDATE admin_users SET totp_secret_cipher = totp_pending_cipher, totp_pending_cipher = NULL, totp_last_step = $2, updated_at = now()
        WHERE id = $1 AND totp_pending_cipher IS NOT NULL RETURNING id) SELECT id FROM u`,
      [id, step],
    );
    return rows.length > 0;
  }

  /** Records an accepted TOTP step; false when a concurrent login already used this (or a later) step. */
  async useTotpStep(id: string, step: number): Promise<boolean> {
    const rows = await this.ds.query(
      `WITH u AS (UPDATE admin_users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id)
       SELECT id FROM u`,
      [id, step],
    );
    return rows.length > 0;
  }

  async loggedIn(id: string): Promise<void> {
    await this.ds.query(`UPDATE admin_users SET last_login_at = now() WHERE id = $1`, [id]);
  }
}

function credentials(r: Record<string, any>): StaffCredentials {
  return {
    ...toStaff(r),
    passwordHash: r.password_hash,
    totpSecretCipher: r.totp_secret_cipher,
    totpPendingCipher: r.totp_pending_cipher,
    totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
  };
}
