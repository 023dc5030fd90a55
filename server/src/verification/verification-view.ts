import { maskDestination } from "./destination";
import { Channel, DeliveryStatus, VerificationStatus } from "./enums";
import type { SimSwapResult } from "../risk/sim-swap-result";

/** What the checks before the send found (contract: `VerificationRisk`); null when none applied. */
export interface VerificationRiskView {
  simSwap: SimSwapResult | null;
  checkedAt: Date | null;
}

/** A delivery as clients see it. */
export interface DeliveryView {
  id: string;
  channel: Channel;
  provider: string;
  status: DeliveryStatus;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A verification as clients see it: the destination masked, never a code or hash. */
export interface VerificationView {
  id: string;
  appId: string;
  channel: Channel;
  status: VerificationStatus;
  to: string;
  purpose: string | null;
  codeLength: number;
  expiresAt: Date;
  resendAvailableAt: Date;
  attemptsRemaining: number;
  /** When it was requested (the first step's start). */
  createdAt?: Date;
  risk: VerificationRiskView | null;
  /** Present when the service already has them; otherwise the resolver loads them. */
  deliveries?: DeliveryView[];
}

/** Row shapes as Postgres returns them (snake_case; dates as Date, or ISO strings through to_jsonb). */
export type Row = Record<string, any>;

const date = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));

/** A pending verification past its expiry is EXPIRED, whether or not the sweeper has marked it yet. */
export function effectiveStatus(row: Row, now = Date.now()): VerificationStatus {
  if (row.status === VerificationStatus.PENDING && date(row.expires_at).getTime() <= now) return VerificationStatus.EXPIRED;
  return row.status;
}

export function toVerificationView(row: Row, deliveries?: Row[]): VerificationView {
  return {
    id: row.id,
    appId: row.app_id,
    channel: row.channel,
    status: effectiveStatus(row),
    to: maskDestination(row.destination),
    purpose: row.purpose ?? null,
    codeLength: row.code_length,
    expiresAt: date(row.expires_at),
    resendAvailableAt: date(row.resend_available_at),
    attemptsRemaining: Math.max(0, row.max_attempts - row.failed_attempts),
    createdAt: row.created_at ? date(row.created_at) : undefined,
    risk: row.sim_swap ? { simSwap: row.sim_swap, checkedAt: row.sim_swap_checked_at ? date(row.sim_swap_checked_at) : null } : null,
    deliveries: deliveries?.map(toDeliveryView),
  };
}

export function toDeliveryView(row: Row): DeliveryView {
  return {
    id: row.id,
    channel: row.channel,
    provider: row.provider,
    status: row.status,
    errorCode: row.error_code ?? null,
    errorMessage: row.error_message ?? null,
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
  };
}
