import type { BlockStore } from "../protection/block-store";
import type { ClaimedMessage } from "./message-store";

export const PAUSE_RULE = "webhook_endpoint_paused";

/** Pauses last until resumed (CLI `app webhook resume`, the dashboard): the block's end is far away. */
const UNTIL_RESUMED = new Date("9999-12-31T00:00:00Z");

/**
 * The record a paused endpoint leaves beside the rate-limit blocks (the same table, so the
 * dashboard's blocks list and the app's other endpoints — `block.created` — see it), keyed by
 * the endpoint. Resuming the endpoint lifts it.
 */
export async function recordPause(blocks: BlockStore, m: Pick<ClaimedMessage, "appId" | "endpointId" | "url">, consecutiveFailures: number): Promise<void> {
  let host = "endpoint";
  try {
    host = new URL(m.url).host;
  } catch {
    // keep the placeholder
  }
  await blocks.record({
    appId: m.appId, rule: PAUSE_RULE, key: `webhook:${m.endpointId}`, keyMasked: host, hits: consecutiveFailures, limit: 0,
    blockedUntil: UNTIL_RESUMED, details: { endpointId: m.endpointId },
  });
}
