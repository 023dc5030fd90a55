import { registerEnumType } from "type-graphql";
import type { DataSource } from "typeorm";
import { verifyLimitKeys } from "../../protection/verify-policy";
import { ipLimitKey } from "../../protection/client-ip";
import { numberPrefix } from "../../protection/number-policy";
import type { BlockStore } from "../../protection/block-store";
import type { Viewer } from "../auth/privacy";
import { explainBlock } from "../../protection/block-explanation";
import { explainError } from "../error-explanations";
import { stepReason } from "../../workflow/step-view";

/** What one line of a verification's timeline records. */
export enum TimelineKind {
  REQUEST = "REQUEST",
  RISK_CHECK = "RISK_CHECK",
  RATE_LIMIT = "RATE_LIMIT",
  DELIVERY_ATTEMPT = "DELIVERY_ATTEMPT",
  DELIVERY_STATUS = "DELIVERY_STATUS",
  STATUS_CALLBACK = "STATUS_CALLBACK",
  VERIFY_ATTEMPT = "VERIFY_ATTEMPT",
  WEBHOOK_ATTEMPT = "WEBHOOK_ATTEMPT",
  OUTCOME = "OUTCOME",
  /** A workflow step (requestOtp `next`) started, or was skipped because the send limits refused it. */
  STEP = "STEP",
}
registerEnumType(TimelineKind, { name: "TimelineKind" });

export interface TimelineEntryData {
  at: Date;
  kind: TimelineKind;
  summary: string;
  provider?: string | null;
  channel?: string | null;
  status?: string | null;
  source?: string | null;
  messageId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  errorExplanation?: string | null;
  latencyMs?: number | null;
  ip?: string | null;
  rule?: string | null;
  hits?: number | null;
  limit?: number | null;
  blockedUntil?: Date | null;
  blockId?: string | null;
  liftedAt?: Date | null;
  liftReason?: string | null;
  riskFactors?: string[] | null;
  shadow?: boolean | null;
  deliveryId?: string | null;
  /** The channel the vendor reports having used when not the delivery's own (Twilio's SMS fallback of RCS). */
  sentAs?: string | null;
  purpose?: string | null;
  locale?: string | null;
  appName?: string | null;
  destination?: string | null;
}

/** Order of entries stamped with the same instant (one statement writes an attempt and its status together). */
const ORDER: Record<TimelineKind, number> = {
  REQUEST: 0, RISK_CHECK: 0.5, RATE_LIMIT: 1, STEP: 2, DELIVERY_ATTEMPT: 3, DELIVERY_STATUS: 4, STATUS_CALLBACK: 5, VERIFY_ATTEMPT: 6, OUTCOME: 7, WEBHOOK_ATTEMPT: 8,
};

/**
 * One verification's story in time order, merged from the rows every decision left: its request,
 * the rate-limit refusals on its destination (its client IP, number prefix, country, app) around that time, every delivery
 * attempt with the vendor's raw error explained, every status change and provider callback,
 * every verify attempt, and the outcome. `v` is a row from loadVerification; `viewer` says what
 * the staff member reading it may see of its destination, client IPs and free texts (masked for
 * SUPPORT). A refusal links its block (blockId) but never shows its key here: the block's own
 * record shows it, masked for the viewer (a number prefix is its calling code for SUPPORT).
 */
export async function buildTimeline(ds: DataSource, blocks: BlockStore, v: Record<string, any>, viewer: Viewer): Promise<TimelineEntryData[]> {
  const destination = viewer.destination(v.destination);
  const clientIp = viewer.ip(v.client_ip);
  const purpose = viewer.text(v.purpose);
  // The limiter keys this request was counted under (protection/send-policy.ts, verify-policy.ts).
  const keys = [`${v.app_id}:${v.destination}`, v.app_id as string];
  if (v.client_ip) keys.push(`${v.app_id}:${ipLimitKey(v.client_ip)}`);
  if (v.destination_country) keys.push(`${v.app_id}:${v.destination_country}`);
  if (String(v.destination).startsWith("+")) keys.push(`${v.app_id}:${numberPrefix(v.destination)}`);
  // Verify budgets are per (destination, client IP) too: the IPs codes were tried from.
  const triedFrom: Array<{ client_ip: string }> = await ds.query(
    `SELECT DISTINCT client_ip FROM verify_attempts WHERE verification_id = $1 AND client_ip IS NOT NULL LIMIT 20`, [v.id]);
  for (const ip of new Set([v.client_ip, ...triedFrom.map((r) => r.client_ip)].filter(Boolean))) keys.push(...verifyLimitKeys(v.app_id, v.destination, ip));
  // Until it closed (plus a minute: the block its last failed attempt caused is recorded just after).
  const windowEnd = v.completed_at ?? v.expires_at;
  const rows: Array<{ at: Date; kind: TimelineKind; data: Record<string, any> }> = await ds.query(
    `SELECT * FROM (
       SELECT b.created_at AS at, 'RATE_LIMIT' AS kind, 0::bigint AS seq, jsonb_build_object(
                'blockId', b.id, 'rule', b.rule, 'hits', b.hits, 'limit', b."limit", 'blockedUntil', b.blocked_until,
                'liftedAt', b.lifted_at, 'liftReason', b.lift_reason, 'shadow', b.shadow,
                'figures', b.details - 'limiterKey' - 'verificationId') AS data
         FROM rate_limit_blocks b
        WHERE (b.key_hash = ANY($2) OR b.details->>'verificationId' = $5)
          AND b.created_at BETWEEN $3::timestamptz - interval '15 minutes' AND $4::timestamptz + interval '1 minute'
       UNION ALL
       SELECT a.created_at, 'DELIVERY_ATTEMPT', a.id, jsonb_build_object(
                'deliveryId', a.delivery_id, 'provider', a.provider, 'channel', d.channel, 'messageId', a.provider_message_id,
                'status', a.outcome, 'errorCode', a.error_code, 'errorMessage', a.error_message, 'latencyMs', a.latency_ms)
         FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE d.verification_id = $1
       UNION ALL
       SELECT e.created_at, CASE WHEN e.source IN ('worker', 'api') THEN 'DELIVERY_STATUS' ELSE 'STATUS_CALLBACK' END, e.id,
              jsonb_build_object('deliveryId', e.delivery_id, 'provider', e.provider, 'status', e.status, 'source', e.source,
                'errorCode', e.error_code, 'errorMessage', e.error_message, 'channel', d.channel, 'sentAs', d.sent_as)
         FROM delivery_events e JOIN deliveries d ON d.id = e.delivery_id
        WHERE e.verification_id = $1
       UNION ALL
       SELECT va.created_at, 'VERIFY_ATTEMPT', va.id, jsonb_build_object('ip', va.client_ip, 'status', va.outcome)
         FROM verify_attempts va WHERE va.verification_id = $1
       UNION ALL
       SELECT wa.created_at, 'WEBHOOK_ATTEMPT', wa.id, jsonb_build_object(
                'messageId', we.id, 'webhookEvent', we.type, 'webhookUrl', ep.url, 'status', wa.outcome,
                'httpStatus', wa.status_code, 'errorMessage', wa.error, 'latencyMs', wa.latency_ms)
         FROM webhook_attempts wa JOIN webhook_messages wm ON wm.id = wa.message_id JOIN webhook_events we ON we.id = wm.event_id
         JOIN webhook_endpoints ep ON ep.id = wm.endpoint_id
        WHERE we.verification_id = $1
     ) t ORDER BY at, seq`,
    [v.id, keys.map((k) => blocks.keyHash(k)), v.created_at, windowEnd, String(v.id)],
  );

  const entries: TimelineEntryData[] = [
    {
      at: new Date(v.created_at), kind: TimelineKind.REQUEST, appName: v.app_name, channel: v.channel, purpose,
      locale: v.locale, ip: clientIp, destination,
      summary: `${v.app_name} requested ${codeBy(v.channel)}${purpose ? ` for "${purpose}"` : ""} (locale ${v.locale}${clientIp ? `, client IP ${clientIp}` : ""})`,
    },
    ...rows.map((r) => toEntry(r.kind, new Date(r.at), forViewer(r.data, viewer))),
  ];
  entries.push(...stepEntries(await loadSteps(ds, v.id), viewer));
  entries.push(...(await riskEntries(ds, v, viewer)));
  const outcome = outcomeEntry(v);
  if (outcome) entries.push(outcome);
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || ORDER[a.kind] - ORDER[b.kind]);
}

/** A verification's workflow steps (workflow/), with the reason each started or was skipped; destinations whole (the caller masks them for the viewer). */
export interface StepData {
  position: number; channel: string; destination: string; status: string; afterSeconds: number;
  startsAt: Date | null; startedAt: Date | null; endedAt: Date | null; reason: string | null; deliveryId: string | null; refused: boolean;
}
export async function loadSteps(ds: DataSource, verificationId: string): Promise<StepData[]> {
  const rows: Array<Record<string, any>> = await ds.query(`SELECT * FROM verification_steps WHERE verification_id = $1 ORDER BY position`, [verificationId]);
  return rows.map((r, i) => ({
    position: r.position as number, channel: r.channel, destination: r.destination as string, status: r.status, afterSeconds: r.after_seconds as number,
    startsAt: r.starts_at, startedAt: r.started_at, endedAt: r.ended_at, reason: stepReason(r, rows[i - 1]), deliveryId: r.delivery_id,
    refused: r.status === "SKIPPED" && String(r.ended_reason ?? "").startsWith("refused"),
  }));
}

/** The later steps' starts and refusals as timeline lines: "Step 2 started: VOICE to +1******0811, not verified within 60 s of the SMS". */
function stepEntries(steps: StepData[], viewer: Viewer): TimelineEntryData[] {
  const out: TimelineEntryData[] = [];
  for (const s of steps) {
    if (s.position === 0) continue;
    const to = viewer.destination(s.destination);
    const what = `Step ${s.position + 1}: ${s.channel} to ${to}`;
    if (s.startedAt) {
      out.push({ at: new Date(s.startedAt), kind: TimelineKind.STEP, channel: s.channel, status: "STARTED", destination: to, deliveryId: s.deliveryId, summary: `${what} started: ${s.reason}` });
    } else if (s.refused && s.endedAt) {
      // A SIM-swap refusal moves on to the next step (workflow.ts refusedSimSwap); a send-limit refusal stops the workflow.
      const then = s.reason?.startsWith("refused by the SIM-swap check") ? "" : "; the workflow stops";
      out.push({ at: new Date(s.endedAt), kind: TimelineKind.STEP, channel: s.channel, status: "SKIPPED", destination: to, summary: `${what} skipped: ${s.reason}${then}` });
    }
  }
  return out;
}

/** A row's IP and free texts (a vendor's or an endpoint's error, a lift reason) as the viewer may see them, before any sentence quotes them. */
function forViewer(d: Record<string, any>, viewer: Viewer): Record<string, any> {
  const out = { ...d };
  if (d.ip) out.ip = viewer.ip(d.ip);
  if (d.errorMessage) out.errorMessage = viewer.text(d.errorMessage);
  if (d.liftReason) out.liftReason = viewer.text(d.liftReason);
  return out;
}

function toEntry(kind: TimelineKind, at: Date, d: Record<string, any>): TimelineEntryData {
  const base = { at, kind, ...d, blockedUntil: d.blockedUntil ? new Date(d.blockedUntil) : null, liftedAt: d.liftedAt ? new Date(d.liftedAt) : null };
  const explanation = explainError(d.provider, d.errorCode, d.source);
  const error = d.errorCode ? ` — error ${d.errorCode}${d.errorMessage ? `: ${d.errorMessage}` : ""}` : "";
  switch (kind) {
    case TimelineKind.RATE_LIMIT:
    {
      // In plain words, with the figures and risk factors the block recorded (protection/block-explanation.ts).
      const { figures, ...rest } = base as typeof base & { figures?: Record<string, unknown> };
      const why = explainBlock(d.rule, d.hits, d.limit, figures ?? {}, !!d.shadow);
      return {
        ...rest, riskFactors: why.riskFactors.map((f) => f.text),
        summary: `${d.shadow ? "Shadow rule" : "Rate limit"} "${d.rule}": ${why.summary}${d.liftedAt ? ` Lifted: ${d.liftReason}` : ""}`,
      };
    }
    case TimelineKind.DELIVERY_ATTEMPT:
      return {
        ...base, errorExplanation: explanation,
        summary: `${d.channel} hand-off to ${d.provider}: ${d.status === "SENT" ? "accepted" : d.status === "RETRY" ? "failed, will retry" : "failed"}${d.messageId ? ` (message ${d.messageId})` : ""} in ${d.latencyMs} ms${error}`,
      };
    case TimelineKind.STATUS_CALLBACK: {
      // The vendor's own fallback (an RCS message it sent as SMS: the device has no RCS) is named, not hidden.
      const sentAs = d.sentAs && d.sentAs !== d.channel ? ` — sent as ${d.sentAs} by ${d.provider}'s own fallback (the device can't receive ${d.channel})` : "";
      return { ...base, errorExplanation: explanation, summary: `${d.provider} reported ${inWords(d.status)}${sentAs}${error}` };
    }
    case TimelineKind.WEBHOOK_ATTEMPT: {
      // The endpoint's host only: a URL's path or query may carry the app's own token.
      const host = hostOf(d.webhookUrl);
      const answer = d.httpStatus ? `HTTP ${d.httpStatus}` : (d.errorMessage ?? "no answer");
      const verdict = d.status === "DELIVERED" ? "accepted" : d.status === "RETRY" ? "failed, will retry" : "failed, retry window over";
      return {
        at, kind, provider: host, status: d.status, messageId: d.messageId, latencyMs: d.latencyMs, errorMessage: d.status === "DELIVERED" ? null : d.errorMessage,
        errorCode: d.httpStatus ? String(d.httpStatus) : null,
        summary: `Webhook ${d.webhookEvent} to ${host}: ${verdict} (${answer}) in ${d.latencyMs} ms`,
      };
    }
    case TimelineKind.VERIFY_ATTEMPT:
      return { ...base, summary: `Code check ${d.status === "APPROVED" ? "succeeded" : `failed (${String(d.status).toLowerCase().replaceAll("_", " ")})`}${d.ip ? ` from ${d.ip}` : ""}` };
    default:
      return { ...base, errorExplanation: explanation, summary: `Delivery ${inWords(d.status)} via ${d.provider}${error}` };
  }
}

/** A status inside a sentence, as a word ("Delivery queued via outbox"): the badge beside it shows the enum. */
function inWords(status: unknown): string {
  return String(status).toLowerCase().replaceAll("_", " ");
}

/** "an SMS code", "a voice code", "an e-mail code": the article follows the sound of the channel's name. */
const CODE_BY: Record<string, string> = {
  SMS: "an SMS code", VOICE: "a voice code", EMAIL: "an e-mail code", WHATSAPP: "a WhatsApp code", TELEGRAM: "a Telegram code", RCS: "an RCS code",
};
export function codeBy(channel: string): string {
  return CODE_BY[channel] ?? `${/^[AEIOU]/i.test(channel) ? "an" : "a"} ${channel} code`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "endpoint";
  }
}

const SIM_SWAP_WORDS: Record<string, string> = {
  SWAPPED: "the number's SIM card changed recently — flagged: the code was sent, and the verification, its events and its token say so",
  NOT_SWAPPED: "no recent SIM change",
  UNKNOWN: "no answer (the service failed or timed out) — the code was sent",
};

/**
 * Each SIM-swap check of the verification (risk/sim-swap-record.ts): the request's, then any
 * resend's and later step's, with what it said and whether it refused that send. A refused
 * request has no verification: it is a `sim_swap` block.
 */
async function riskEntries(ds: DataSource, v: Record<string, any>, viewer: Viewer): Promise<TimelineEntryData[]> {
  if (!v.sim_swap) return [];
  const rows: Array<Record<string, any>> = await ds.query(
    `SELECT trigger, step_position, channel, destination, sim_swap, refused, checked_at FROM verification_risk_checks WHERE verification_id = $1 ORDER BY checked_at, id`,
    [v.id],
  );
  return rows.map((r) => {
    const to = viewer.destination(r.destination);
    const words = r.refused
      ? `the number's SIM card changed recently — refused: ${r.trigger === "step" ? "the step was skipped" : "no new code was sent"}`
      : SIM_SWAP_WORDS[r.sim_swap] ?? r.sim_swap;
    const before = r.trigger === "resend" ? ` before the resend (${r.channel} to ${to})` : r.trigger === "step" ? ` before step ${r.step_position + 1} (${r.channel} to ${to})` : "";
    return {
      // The request's ran just before its row was written: shown right after its REQUEST line.
      at: new Date(r.trigger === "request" ? v.created_at : r.checked_at), kind: TimelineKind.RISK_CHECK, status: r.sim_swap, rule: "sim_swap",
      channel: r.channel, destination: r.trigger === "request" ? null : to,
      summary: `SIM-swap check${before}: ${words}`,
    };
  });
}

function outcomeEntry(v: Record<string, any>): TimelineEntryData | null {
  if (v.status === "PENDING") return null;
  const at = new Date(v.completed_at ?? v.expires_at);
  const words: Record<string, string> = {
    APPROVED: "Verified: the customer entered the right code",
    EXPIRED: "Expired: the code was never entered in time",
    CANCELED: "Canceled (by the app, or replaced by a newer request)",
    MAX_ATTEMPTS_REACHED: "Locked: too many wrong codes",
    FAILED: "Failed: no message could be delivered",
  };
  return { at, kind: TimelineKind.OUTCOME, status: v.status, summary: words[v.status] ?? v.status };
}
