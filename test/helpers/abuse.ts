import type { TestGateway } from "./gateway";
import { REQUEST_OTP, RESEND_OTP, VERIFY_OTP, gql, type GqlResponse } from "./graphql-client";

/** Helpers for the abuse-protection suites: requests with headers, block rows, counts. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function requestOtp(gw: TestGateway, key: string, destination: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<GqlResponse> {
  return gql(gw.url, key, REQUEST_OTP, { input: { destination, channel: "SMS", ...extra } }, headers);
}

export function verifyOtp(gw: TestGateway, key: string, input: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse> {
  return gql(gw.url, key, VERIFY_OTP, { input }, headers);
}

export function resendOtp(gw: TestGateway, key: string, id: string, channel?: string): Promise<GqlResponse> {
  return gql(gw.url, key, RESEND_OTP, { id, channel });
}

export interface BlockRow {
  id: string;
  rule: string;
  key_masked: string;
  hits: number;
  limit: number;
  blocked_until: Date;
  details: Record<string, any>;
  lifted_at: Date | null;
  lift_reason: string | null;
}

export async function blocksOf(gw: TestGateway, appId: string, rule?: string): Promise<BlockRow[]> {
  return gw.app.db.ds.query(
    `SELECT id, rule, key_masked, hits, "limit", blocked_until, details, lifted_at, lift_reason FROM rate_limit_blocks
      WHERE app_id = $1 AND ($2::text IS NULL OR rule = $2) ORDER BY created_at`,
    [appId, rule ?? null],
  );
}

export async function count(gw: TestGateway, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await gw.app.db.ds.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row.n;
}

/** The refusal as a client sees it: code, retryAfter, message and which extension keys (for "same shape" checks). */
export function refusal(r: GqlResponse) {
  const e = r.errors?.[0];
  return { code: e?.extensions?.code, retryAfter: e?.extensions?.retryAfter as number | undefined, message: e?.message, keys: Object.keys(e?.extensions ?? {}).sort() };
}
