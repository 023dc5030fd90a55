import type { DataSource } from "typeorm";
import { FactorStatus, type TotpFactorView } from "./totp.types";

/** An unverified factor lives this long; past it, it reads as gone and the worker's sweep deletes it. */
export const UNVERIFIED_LIFETIME = "24 hours";
/** A factor that still exists for its app: anything but an unverified one past its lifetime (`t`: the table's alias). */
export const liveFactor = (t = "") => `NOT (${t}status = 'UNVERIFIED' AND ${t}created_at <= now() - interval '${UNVERIFIED_LIFETIME}')`;
export const LIVE = liveFactor();
export const FACTOR_COLUMNS = "id, app_id, subject, label, status, created_at, verified_at, last_used_at";

export interface FactorRow {
  id: string;
  app_id: string;
  subject: string;
  label: string | null;
  status: FactorStatus;
  created_at: Date;
  verified_at: Date | null;
  last_used_at: Date | null;
}

export const toFactorView = (r: FactorRow): TotpFactorView => ({
  id: r.id, subject: r.subject, label: r.label, status: r.status,
  createdAt: new Date(r.created_at), verifiedAt: r.verified_at && new Date(r.verified_at), lastUsedAt: r.last_used_at && new Date(r.last_used_at),
});

/** The factor rows' SQL in one place: every read is scoped to an app and skips expired unverified factors. */
export class TotpStore {
  constructor(private readonly ds: DataSource) {}

  async insert(f: { id: string; appId: string; subject: string; label: string | null; secretCipher: Buffer }): Promise<FactorRow> {
    const [row] = await this.ds.query(
      `INSERT INTO totp_factors (id, app_id, subject, label, secret_cipher) VALUES ($1, $2, $3, $4, $5) RETURNING ${FACTOR_COLUMNS}`,
      [f.id, f.appId, f.subject, f.label, f.secretCipher],
    );
    return row;
  }

  /** Live factors of a subject that are not revoked (the per-subject cap counts these). */
  async countActive(appId: string, subject: string): Promise<number> {
    const [{ n }] = await this.ds.query(
      `SELECT count(*)::int AS n FROM totp_factors WHERE app_id = $1 AND subject = $2 AND status <> 'REVOKED' AND ${LIVE}`, [appId, subject]);
    return n;
  }

  async list(appId: string, subject: string): Promise<FactorRow[]> {
    return this.ds.query(`SELECT ${FACTOR_COLUMNS} FROM totp_factors WHERE app_id = $1 AND subject = $2 AND ${LIVE} ORDER BY created_at, id`, [appId, subject]);
  }

  async get(appId: string, id: string): Promise<FactorRow | null> {
    const [row] = await this.ds.query(`SELECT ${FACTOR_COLUMNS} FROM totp_factors WHERE id = $1 AND app_id = $2 AND ${LIVE}`, [id, appId]);
    return row ?? null;
  }

  /** Any app's live factor, with its app: for the dashboard and the CLI, which act across apps. */
  async findAnyApp(id: string): Promise<FactorRow | null> {
    const [row] = await this.ds.query(`SELECT ${FACTOR_COLUMNS} FROM totp_factors WHERE id = $1 AND ${LIVE}`, [id]);
    return row ?? null;
  }

  /** What a code can be checked against: by id (unverified or verified), or every verified factor of a subject. */
  async candidates(appId: string, by: { factorId: string } | { subject: string }): Promise<Array<FactorRow & { secret_cipher: Buffer }>> {
    if ("factorId" in by) {
      return this.ds.query(
        `SELECT ${FACTOR_COLUMNS}, secret_cipher FROM totp_factors WHERE id = $1 AND app_id = $2 AND status <> 'REVOKED' AND ${LIVE}`, [by.factorId, appId]);
    }
    return this.ds.query(
      `SELECT ${FACTOR_COLUMNS}, secret_cipher FROM totp_factors WHERE app_id = $1 AND subject = $2 AND status = 'VERIFIED' ORDER BY created_at, id`,
      [appId, by.subject],
    );
  }

  /**
   * Revokes (idempotently) and erases the secret: a revoked factor can never verify again, even
   * from a backup. `alongside` runs in the same transaction (the dashboard's audit entry).
   */
  async revoke(
    appId: string,
    id: string,
    alongside?: (m: { query: DataSource["query"] }, change: { before: FactorRow; after: FactorRow }) => Promise<void>,
  ): Promise<{ before: FactorRow; after: FactorRow } | null> {
    return this.ds.transaction(async (m) => {
      const [before] = await m.query(`SELECT ${FACTOR_COLUMNS} FROM totp_factors WHERE id = $1 AND app_id = $2 AND ${LIVE} FOR UPDATE`, [id, appId]);
      if (!before) return null;
      // As a CTE: TypeORM answers a bare UPDATE … RETURNING as [rows, count].
      const [after] = await m.query(
        `WITH u AS (UPDATE totp_factors SET status = 'REVOKED', secret_cipher = NULL, revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${FACTOR_COLUMNS})
         SELECT * FROM u`, [id]);
      await alongside?.(m, { before, after });
      return { before, after };
    });
  }

  async recordAttempts(appId: string, factorIds: string[], ip: string | null, outcome: string): Promise<void> {
    if (!factorIds.length) return;
    await this.ds.query(
      `INSERT INTO totp_attempts (factor_id, app_id, client_ip, outcome) SELECT unnest($1::uuid[]), $2, $3, $4`, [factorIds, appId, ip, outcome]);
  }

  /** Deletes unverified factors past their lifetime (their attempts go with them). Run by the worker role's sweep. */
  async sweepExpired(): Promise<number> {
    // As a CTE: TypeORM answers a bare DELETE … RETURNING as [rows, count].
    const [{ n }] = await this.ds.query(
      `WITH d AS (DELETE FROM totp_factors WHERE status = 'UNVERIFIED' AND created_at <= now() - interval '${UNVERIFIED_LIFETIME}' RETURNING id)
       SELECT count(*)::int AS n FROM d`);
    return n;
  }
}
