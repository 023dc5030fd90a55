/**
 * What "Spend & conversion" can be grouped by. COUNTRY, APP and DAY belong to the verification
 * (its destination's country, its app, the UTC day it was requested); CHANNEL and PROVIDER to
 * each delivery, since one verification may go out on several (a fallback channel, a failover
 * provider). Grouped by a delivery key, a verification counts once in every group it had a
 * delivery in, approved there if it was approved at all — as Twilio's attempts report it.
 */
export enum SpendKey { COUNTRY = "COUNTRY", CHANNEL = "CHANNEL", PROVIDER = "PROVIDER", APP = "APP", DAY = "DAY" }

/** Each key's SQL over `v` (the period's verifications) left-joined to `d` (their deliveries). Never user text. */
export const KEY_SQL: Record<SpendKey, string> = {
  [SpendKey.COUNTRY]: "v.destination_country",
  [SpendKey.APP]: "v.app_id::text",
  [SpendKey.DAY]: "to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  [SpendKey.CHANNEL]: "coalesce(d.channel, v.channel)",
  [SpendKey.PROVIDER]: "d.provider",
};

/** The row field each key fills. */
export const KEY_FIELD: Record<SpendKey, "country" | "appId" | "day" | "channel" | "provider"> = {
  [SpendKey.COUNTRY]: "country",
  [SpendKey.APP]: "appId",
  [SpendKey.DAY]: "day",
  [SpendKey.CHANNEL]: "channel",
  [SpendKey.PROVIDER]: "provider",
};
