import { maskDestination } from "../verification/destination";
import type { Channel } from "../verification/enums";
import type { Row } from "../verification/verification-view";
import { StepStatus } from "./step-status";

/** A step as clients see it (VerificationStep): the destination masked like Verification.to. */
export interface StepView {
  channel: Channel;
  to: string;
  status: StepStatus;
  startsAt: Date | null;
  startedAt: Date | null;
  reason: string | null;
}

/** The same, carried by an event through Redis: dates as ISO strings. */
export interface StepMessage { channel: string; to: string; status: string; startsAt: string | null; startedAt: string | null; reason: string | null }

const date = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const iso = (v: unknown) => date(v)?.toISOString() ?? null;

/** What a channel's message is called in a reason ("the SMS", "the call"). */
const CALLED: Record<string, string> = { SMS: "the SMS", VOICE: "the call", EMAIL: "the e-mail", WHATSAPP: "the WhatsApp message", TELEGRAM: "the Telegram message", RCS: "the RCS message" };
export const called = (channel: string) => CALLED[channel] ?? `the ${channel} message`;

/**
 * Why a step is where it is, in words for the client and the timeline (never a destination or
 * a code): "not verified within 60 s of the SMS", "the SMS failed permanently", or for a
 * skipped step why it never ran. `previous` is the step before (for the channel it names).
 */
export function stepReason(r: Row, previous?: Row): string | null {
  if (r.status === StepStatus.SKIPPED) return r.ended_reason ?? null;
  const before = previous ? called(previous.channel) : "the step before";
  switch (r.started_reason) {
    case "timeout": return `not verified within ${r.after_seconds} s of ${before}`;
    case "failed": return `${before} failed permanently`;
    case "skipped": return `${before} was skipped`;
    default: return r.started_reason ?? null;
  }
}

/** Every step of a verification, oldest position first, as clients see them. */
export function toStepViews(rows: Row[]): StepView[] {
  return rows.map((r, i) => toStepView(r, rows[i - 1]));
}

export function toStepView(r: Row, previous?: Row): StepView {
  return {
    channel: r.channel, to: maskDestination(r.destination), status: r.status,
    startsAt: date(r.starts_at), startedAt: date(r.started_at), reason: stepReason(r, previous),
  };
}

export function toStepMessages(rows: Row[]): StepMessage[] {
  return toStepViews(rows).map((v) => ({ ...v, startsAt: iso(v.startsAt), startedAt: iso(v.startedAt) }));
}

export function fromStepMessage(m: StepMessage): StepView {
  return { ...m, channel: m.channel as Channel, status: m.status as StepStatus, startsAt: date(m.startsAt), startedAt: date(m.startedAt) };
}

/**
 * The one step of a verification asked without `next`: its own channel, active while it is
 * pending (the app's --fallback-channel may still add a delivery, as before workflows).
 */
export function singleStep(v: { channel: Channel; to: string; status: string; createdAt?: Date }): StepView {
  const at = v.createdAt ?? null;
  return { channel: v.channel, to: v.to, status: v.status === "PENDING" ? StepStatus.ACTIVE : StepStatus.DONE, startsAt: at, startedAt: at, reason: "requested" };
}
