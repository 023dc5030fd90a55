import { explainBlock } from "../protection/block-explanation";
import { liftNeedsAdmin } from "./lift-rules";
import { destinationFor, ipFor, seesDestinations, textFor, type Viewer } from "./auth/privacy";
import type { Staff } from "./auth/roles";
import { explainError } from "./error-explanations";

/**
 * Rows into the admin API's records. Destinations, client IPs, free texts and block keys pass
 * through the viewer's rules (auth/privacy.ts: masked for SUPPORT) here; code columns are never
 * selected in the first place.
 */
type Row = Record<string, any>;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

/** Hidden from GraphQL: the raw row, for field resolvers (timeline) that need more than the record. */
export const ROW = Symbol("row");

export function toVerificationRecord(r: Row, staff: Staff) {
  return {
    [ROW]: r,
    id: r.id, appId: r.app_id, appName: r.app_name, channel: r.channel,
    destination: destinationFor(staff, r.destination)!, destinationMasked: !seesDestinations(staff),
    country: r.destination_country, purpose: textFor(staff, r.purpose), locale: r.locale, clientIp: ipFor(staff, r.client_ip), status: r.status,
    failedAttempts: r.failed_attempts, maxAttempts: r.max_attempts, sendCount: r.send_count,
    createdAt: new Date(r.created_at), expiresAt: new Date(r.expires_at), completedAt: date(r.completed_at),
    lastProvider: r.last_provider, lastDeliveryStatus: r.last_delivery_status, lastErrorCode: r.last_error_code,
    simSwap: r.sim_swap ?? null,
  };
}

export function toAttemptRecord(r: Row, staff: Staff) {
  const errorCode = r.error_code ?? r.callback_error_code ?? null;
  return {
    id: r.id, at: new Date(r.at), provider: r.provider, channel: r.channel, outcome: r.outcome, messageId: r.message_id,
    errorCode, errorMessage: textFor(staff, r.error_message ?? r.callback_error_message ?? null),
    errorExplanation: explainError(r.provider, errorCode, r.error_code ? "worker" : "callback"),
    latencyMs: r.latency_ms, deliveryId: r.delivery_id, deliveryStatus: r.delivery_status, verificationId: r.verification_id,
    destination: destinationFor(staff, r.destination)!, country: r.country, appName: r.app_name, sentAs: r.sent_as ?? null,
  };
}

export function toBlockRecord(r: Row, viewer: Viewer) {
  return {
    id: r.id, appId: r.app_id, appName: r.app_name, rule: r.rule, key: viewer.blockKey(r.key_masked), hits: r.hits, limit: r.limit,
    windowSeconds: r.window_seconds, blockedUntil: new Date(r.blocked_until), createdAt: new Date(r.created_at),
    active: r.active, liftedAt: date(r.lifted_at), liftedBy: r.lifted_by, liftReason: viewer.text(r.lift_reason), liftNeedsAdmin: liftNeedsAdmin(r.rule),
    shadow: !!r.shadow, ...explainBlock(r.rule, r.hits, r.limit, r.figures ?? {}, !!r.shadow),
  };
}

export function toOutboxRecord(r: Row, staff: Staff) {
  return {
    id: r.id, verificationId: r.verification_id, appName: r.app_name, channel: r.channel,
    recipient: destinationFor(staff, r.recipient)!, subject: r.subject, body: r.body, createdAt: new Date(r.created_at),
  };
}
