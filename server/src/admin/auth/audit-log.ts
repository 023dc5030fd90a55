import type { DataSource } from "typeorm";
import type { Staff } from "./roles";

/** Who did it: a staff member in the dashboard, or an operator at the command line. */
export type Actor = Pick<Staff, "id" | "email" | "role"> | { id: null; email: string; role: null };

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetType: string;
  targetId?: string | null;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
}

export interface AuditFilter { actor?: string | null; action?: string | null; targetType?: string | null; targetId?: string | null; from?: Date | null; to?: Date | null }

const SORTS: Record<string, string> = { at: "at", action: "action", actorEmail: "actor_email" };

/**
 * Every staff action with its before and after, appended in the same transaction as the change
 * when one is given. The table refuses UPDATE and DELETE (a trigger), so the log only grows.
 * Callers pass sanitized snapshots: never a password hash, API key secret or code.
 */
export class AuditLog {
  constructor(private readonly ds: DataSource) {}

  async record(e: AuditEntry, runner: { query: DataSource["query"] } = this.ds): Promise<void> {
    await runner.query(
      `INSERT INTO audit_log (actor_id, actor_email, actor_role, action, target_type, target_id, reason, before, after, ip)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        e.actor.id, e.actor.email, e.actor.role, e.action, e.targetType, e.targetId ?? null, e.reason ?? null,
        e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.ip ?? null,
      ],
    );
  }

  async list(filter: AuditFilter, page: number, perPage: number, sortField?: string | null, sortOrder?: string | null) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.actor) where.push(`actor_email ILIKE '%' || $${params.push(filter.actor.replace(/[%_\\]/g, "\\$&"))} || '%'`);
    if (filter.action) where.push(`action = $${params.push(filter.action)}`);
    if (filter.targetType) where.push(`target_type = $${params.push(filter.targetType)}`);
    if (filter.targetId) where.push(`target_id = $${params.push(filter.targetId)}`);
    if (filter.from) where.push(`at >= $${params.push(filter.from)}`);
    if (filter.to) where.push(`at < $${params.push(filter.to)}`);
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const order = `${SORTS[sortField ?? ""] ?? "at"} ${sortOrder === "ASC" ? "ASC" : "DESC"}, id ${sortOrder === "ASC" ? "ASC" : "DESC"}`;
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM audit_log ${clause}`, params);
    const rows = await this.ds.query(
      `SELECT * FROM audit_log ${clause} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, perPage, (page - 1) * perPage],
    );
    return { data: rows.map(toAuditRecord), total };
  }

  async get(id: string) {
    if (!/^\d{1,18}$/.test(id)) return null;
    const rows = await this.ds.query(`SELECT * FROM audit_log WHERE id = $1`, [id]);
    return rows.length ? toAuditRecord(rows[0]) : null;
  }
}

export function toAuditRecord(r: Record<string, any>) {
  return {
    id: String(r.id),
    at: new Date(r.at),
    actorId: r.actor_id,
    actorEmail: r.actor_email,
    actorRole: r.actor_role,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    reason: r.reason,
    before: r.before === null ? null : JSON.stringify(r.before),
    after: r.after === null ? null : JSON.stringify(r.after),
    ip: r.ip,
  };
}
