import type { DataSource } from "typeorm";
import type { BlockStore } from "../../protection/block-store";
import { FACTOR_COLUMNS, liveFactor } from "../../totp/totp-store";
import { factorIpLimitKey, factorLimitKey } from "../../totp/totp-policy";
import { isUuid } from "../../verification/input-rules";
import type { Viewer } from "../auth/privacy";
import { TimelineKind, type TimelineEntryData } from "./timeline";
import { likeEscape, pageSql, Where, type PageArgs } from "./list-sql";

export interface FactorFilter {
  ids?: string[] | null; appId?: string | null; subject?: string | null; status?: string | null;
  /** The subject as a whole (SUPPORT, who sees subjects masked) rather than its start. */
  exactSubject?: boolean;
}

const SORTS: Record<string, string> = { createdAt: "f.created_at", lastUsedAt: "f.last_used_at", verifiedAt: "f.verified_at", subject: "f.subject", status: "f.status" };
/** Without the subject: an order by masked values would tell SUPPORT what the masks hide. */
const MASKED_SORTS = Object.fromEntries(Object.entries(SORTS).filter(([field]) => field !== "subject"));

/** A factor with its app's name and its last day of code checks (LATERAL: one index range per factor on the page). */
const SELECT = `SELECT ${FACTOR_COLUMNS.split(", ").map((c) => `f.${c}`).join(", ")}, f.revoked_at, a.name AS app_name,
       s.attempts_day, s.failures_day, l.created_at AS last_attempt_at, l.outcome AS last_attempt_outcome
  FROM totp_factors f JOIN apps a ON a.id = f.app_id
  LEFT JOIN LATERAL (
    SELECT count(*)::int AS attempts_day, count(*) FILTER (WHERE outcome IN ('WRONG_CODE', 'REPLAYED'))::int AS failures_day
      FROM totp_attempts WHERE factor_id = f.id AND created_at > now() - interval '24 hours') s ON true
  LEFT JOIN LATERAL (SELECT created_at, outcome FROM totp_attempts WHERE factor_id = f.id ORDER BY created_at DESC, id DESC LIMIT 1) l ON true`;

/** Factors by app, subject (or its start, unless `exactSubject`) and status; unverified factors past their 24 hours are gone here too. */
export async function listFactors(ds: DataSource, filter: FactorFilter, page: PageArgs) {
  const w = new Where().raw(liveFactor("f."));
  if (filter.ids?.length) w.add("f.id = ANY(?::uuid[])", filter.ids.filter(isUuid));
  if (filter.appId) w.add("f.app_id = ?", isUuid(filter.appId) ? filter.appId : "00000000-0000-0000-0000-000000000000");
  if (filter.subject) {
    if (filter.exactSubject) w.add("f.subject = ?", filter.subject);
    else w.add("f.subject LIKE ? || '%'", likeEscape(filter.subject));
  }
  if (filter.status) w.add("f.status = ?", filter.status);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM totp_factors f ${w.clause}`, w.params);
  const rows = await ds.query(`${SELECT} ${w.clause} ${pageSql(page, filter.exactSubject ? MASKED_SORTS : SORTS, "createdAt", w, "f.id")}`, w.params);
  return { rows, total };
}

export async function loadFactor(ds: DataSource, id: string): Promise<Record<string, any> | null> {
  if (!isUuid(id)) return null;
  const [row] = await ds.query(`${SELECT} WHERE f.id = $1 AND ${liveFactor("f.")}`, [id]);
  return row ?? null;
}

const ATTEMPT_WORDS: Record<string, string> = {
  APPROVED: "Right code: approved",
  WRONG_CODE: "Wrong code",
  REPLAYED: "A code already used (or older than one used): refused as a wrong code",
  RATE_LIMITED: "Refused unchecked: the factor's failure budget was spent",
};

/**
 * One factor's story, in the verification timeline's shape: enrolment, its latest code checks
 * (outcome and client IP), the refusals recorded on its limiter keys, confirmation, and
 * revocation (by whom and why, from the audit log, when staff did it) — subject, label, IPs and
 * the reason as `viewer` may see them.
 */
export async function factorTimeline(ds: DataSource, blocks: BlockStore, f: Record<string, any>, viewer: Viewer): Promise<TimelineEntryData[]> {
  const attempts: Array<{ created_at: Date; outcome: string; client_ip: string | null }> = await ds.query(
    `SELECT created_at, outcome, client_ip FROM totp_attempts WHERE factor_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`, [f.id]);
  const keys = [factorLimitKey(f.app_id, f.id), ...new Set(attempts.map((a) => factorIpLimitKey(f.app_id, f.id, a.client_ip)))];
  const refusals: Array<{ id: string; created_at: Date; rule: string; hits: number; limit: number; blocked_until: Date }> = await ds.query(
    `SELECT id, created_at, rule, hits, "limit", blocked_until FROM rate_limit_blocks WHERE key_hash = ANY($1) ORDER BY created_at DESC LIMIT 50`,
    [keys.map((k) => blocks.keyHash(k))],
  );
  const [revocation] = f.revoked_at
    ? await ds.query(`SELECT actor_email, reason FROM audit_log WHERE action = 'totp_factor.revoke' AND target_id = $1 ORDER BY at LIMIT 1`, [f.id])
    : [];
  const entries: TimelineEntryData[] = [
    { at: new Date(f.created_at), kind: TimelineKind.REQUEST, appName: f.app_name, summary: `${f.app_name} enrolled an authenticator${f.label ? ` labelled "${viewer.identifier(f.label)}"` : ""} for subject ${viewer.identifier(f.subject)}` },
    ...attempts.map((a) => ({ at: new Date(a.created_at), kind: TimelineKind.VERIFY_ATTEMPT, status: a.outcome, ip: viewer.ip(a.client_ip), summary: ATTEMPT_WORDS[a.outcome] ?? a.outcome })),
    ...refusals.map((b) => ({
      at: new Date(b.created_at), kind: TimelineKind.RATE_LIMIT, rule: b.rule, hits: b.hits, limit: b.limit, blockedUntil: new Date(b.blocked_until), blockId: b.id,
      summary: `Rate limit "${b.rule}" refused a code check (${b.hits} of ${b.limit} allowed)`,
    })),
  ];
  if (f.verified_at) entries.push({ at: new Date(f.verified_at), kind: TimelineKind.OUTCOME, status: "VERIFIED", summary: "Confirmed: the first right code made the factor VERIFIED" });
  if (f.revoked_at) {
    const by = revocation ? `by ${revocation.actor_email}: ${viewer.text(revocation.reason)}` : "by the app (API)";
    entries.push({ at: new Date(f.revoked_at), kind: TimelineKind.OUTCOME, status: "REVOKED", summary: `Revoked ${by}` });
  }
  const rank = (k: TimelineKind) => (k === TimelineKind.REQUEST ? 0 : k === TimelineKind.OUTCOME ? 2 : 1);
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || rank(a.kind) - rank(b.kind));
}
