import { randomUUID } from "node:crypto";
import type { AppEntity } from "../apps/app.entity";
import { badInput, forbidden } from "../errors";
import { checkCountry, checkNumberType } from "../protection/number-policy";
import type { ProviderRegistry } from "../providers/registry";
import { parseDestination, type Destination } from "../verification/destination";
import type { Channel } from "../verification/enums";

/** At most this many steps after the request's own channel (contract). */
export const MAX_NEXT_STEPS = 3;
/** afterSeconds bounds and default (contract). */
export const AFTER_SECONDS = { min: 15, max: 600, default: 60 } as const;

export interface PlannedStep { channel: Channel; destination: Destination; afterSeconds: number }
export interface NextStepParams { channel: Channel; destination?: string | null; afterSeconds?: number | null }

/**
 * Checks `next` before anything is charged or stored: each step's destination must fit its
 * channel (a phone number for the phone channels, an e-mail address for EMAIL), with the same
 * parser as the request's own destination. Channel-agnostic: the channel's needs come from
 * parseDestination, never from a branch here. Errors name the step: `next[1].destination`.
 */
export function planSteps(next: NextStepParams[] | null | undefined, own: Destination): PlannedStep[] {
  if (!next?.length) return [];
  if (next.length > MAX_NEXT_STEPS) throw badInput("next", `At most ${MAX_NEXT_STEPS} further steps`);
  return next.map((s, i) => {
    const field = `next[${i}]`;
    const after = s.afterSeconds ?? AFTER_SECONDS.default;
    if (!Number.isInteger(after) || after < AFTER_SECONDS.min || after > AFTER_SECONDS.max) {
      throw badInput(`${field}.afterSeconds`, `afterSeconds is ${AFTER_SECONDS.min} to ${AFTER_SECONDS.max}`);
    }
    let destination: Destination;
    try {
      destination = parseDestination(s.destination ?? own.value, s.channel);
    } catch (err) {
      const e = err as { extensions?: { field?: string }; message: string };
      if (!e.extensions?.field) throw err;
      // "channel" when the channel doesn't fit the destination, "destination" when it doesn't parse.
      throw badInput(`${field}.${e.extensions.field === "channel" ? "channel" : "destination"}`, e.message);
    }
    return { channel: s.channel, destination, afterSeconds: after };
  });
}

/**
 * What can be known at request time is refused at request time (FORBIDDEN, nothing stored): a
 * channel this gateway doesn't offer, a country or number type the app's policy forbids for a
 * step's channel. The volume limits and the pumping rules are judged when each step starts,
 * as a send of its own (workflow.ts).
 */
export function checkPlanAllowed(app: AppEntity, plan: PlannedStep[], registry: ProviderRegistry, isTestDestination: (value: string) => boolean): void {
  for (const s of plan) {
    if (!registry.supports(s.channel)) throw forbidden(`The ${s.channel} channel is not enabled on this gateway`, { reason: "CHANNEL_UNAVAILABLE" });
    if (isTestDestination(s.destination.value)) continue;
    checkCountry(app, s.destination, s.channel);
    checkNumberType(s.destination, s.channel);
  }
}

/** The rows of a plan (position 0 is the request's own channel, active from the start), for jsonb_to_recordset. */
export function planRows(own: { channel: Channel; destination: string }, plan: PlannedStep[]): string {
  return JSON.stringify([
    { id: randomUUID(), position: 0, channel: own.channel, destination: own.destination, after_seconds: 0, status: "ACTIVE", reason: "requested" },
    ...plan.map((s, i) => ({ id: randomUUID(), position: i + 1, channel: s.channel, destination: s.destination.value, after_seconds: s.afterSeconds, status: "WAITING", reason: null })),
  ]);
}
