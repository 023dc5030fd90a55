import type { BlockStore } from "../protection/block-store";
import { maskDestination } from "../verification/destination";
import type { SimSwapVerdict } from "./sim-swap-gate";

/**
 * A send the SIM-swap check refused (a request, a resend or a workflow step), on record as a
 * block row: rule `sim_swap`, the number masked, blocking nothing after this send (the next one
 * is checked anew), so support finds it by the number, the dashboard lists it and the app's
 * `block.created` webhook reports it. A resend's or a step's names its verification (the
 * verification's timeline then shows it).
 */
export function recordSimSwapRefusal(blocks: BlockStore, appId: string, destination: string, channel: string, risk: SimSwapVerdict, verificationId?: string): Promise<string> {
  return blocks.record({
    appId, rule: "sim_swap", key: `${appId}:${destination}`, keyMasked: maskDestination(destination),
    hits: 1, limit: 0, blockedUntil: risk.checkedAt,
    details: { channel, maxAgeHours: risk.maxAgeHours, simSwap: risk.result, action: risk.action, ...(verificationId && { verificationId }) },
  });
}
