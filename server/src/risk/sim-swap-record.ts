import { SimSwapResult } from "./sim-swap-result";
import type { SimSwapVerdict } from "./sim-swap-gate";

/** Which send a check was for: the request's first, a resendOtp, or a later workflow step. */
export type SimSwapTrigger = "request" | "resend" | "step";

/** Worst last: the verification keeps the worst result any of its checks gave (an UNKNOWN is never cleared by a later answer for the same or another number). */
export const SIM_SWAP_SEVERITY: readonly SimSwapResult[] = [SimSwapResult.NOT_SWAPPED, SimSwapResult.UNKNOWN, SimSwapResult.SWAPPED];
const SEVERITY_SQL = `ARRAY[${SIM_SWAP_SEVERITY.map((r) => `'${r}'`).join(", ")}]::text[]`;

/**
 * SQL: the verification's `sim_swap` becomes `result` unless it already holds a worse one;
 * `checked_at` follows it (the latest time the worst result was seen).
 */
export function worstSimSwapSet(result: string, checkedAt: string): string {
  const worse = `(sim_swap IS NULL OR array_position(${SEVERITY_SQL}, ${result}::text) >= array_position(${SEVERITY_SQL}, sim_swap))`;
  return `sim_swap = CASE WHEN ${worse} THEN ${result}::text ELSE sim_swap END,
          sim_swap_checked_at = CASE WHEN ${worse} THEN ${checkedAt}::timestamptz ELSE sim_swap_checked_at END`;
}

/** What the check of a later send was for, to record beside its verdict. */
export interface LaterCheck {
  verificationId: string;
  destination: string;
  channel: string;
  trigger: Exclude<SimSwapTrigger, "request">;
  stepPosition?: number | null;
  verdict: SimSwapVerdict;
}

interface Queryable { query(sql: string, params?: unknown[]): Promise<any> }

/**
 * Records the check of a resend or a later step (the request's own is written with the
 * verification, verification-service.ts): one verification_risk_checks row, and the
 * verification's risk raised to the worst seen. Returns the verification's risk afterwards.
 */
export async function recordLaterCheck(q: Queryable, c: LaterCheck): Promise<{ sim_swap: string | null; sim_swap_checked_at: Date | null } | null> {
  const [row] = await q.query(
    `WITH c AS (
       INSERT INTO verification_risk_checks (verification_id, app_id, destination, channel, trigger, step_position, sim_swap, refused, checked_at)
       SELECT id, app_id, $2, $3, $4, $5, $6, $7, $8 FROM verifications WHERE id = $1
       RETURNING verification_id
     ),
     u AS (
       UPDATE verifications SET ${worstSimSwapSet("$6", "$8")}
        WHERE id = (SELECT verification_id FROM c)
        RETURNING sim_swap, sim_swap_checked_at
     ) SELECT * FROM u`,
    [c.verificationId, c.destination, c.channel, c.trigger, c.stepPosition ?? null, c.verdict.result, c.verdict.refuse, c.verdict.checkedAt],
  );
  return row ?? null;
}

/**
 * The latest check of `destination` for this verification, or null: a later step to a number
 * already checked is not checked again (a refused one is refused again without asking).
 */
export async function latestCheck(q: Queryable, verificationId: string, destination: string): Promise<{ sim_swap: SimSwapResult; refused: boolean } | null> {
  const [row] = await q.query(
    `SELECT sim_swap, refused FROM verification_risk_checks WHERE verification_id = $1 AND destination = $2 ORDER BY checked_at DESC, id DESC LIMIT 1`,
    [verificationId, destination],
  );
  return row ?? null;
}
