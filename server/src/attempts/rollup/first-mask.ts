/**
 * "Counted once": the summary counts distinct verifications per group, and a verification can
 * have several attempts (a resend, a fallback, a failover) in different hours, channels and
 * providers. Which attempts make it count depends on the keys asked for: grouped by DAY,
 * CHANNEL and/or PROVIDER, a verification counts once per distinct value of those keys. So each
 * attempt carries a mask: bit `keyBits(keys)` set when it is its verification's first attempt
 * (by created_at, id) with its own values of those keys. Summing the attempts whose bit is set
 * counts what count(DISTINCT verification_id) counts — and sums are what an hourly rollup can add.
 * COUNTRY and APP are the verification's own, the same on all its attempts: they need no bit.
 */
export type MaskKey = "DAY" | "CHANNEL" | "PROVIDER";

const KEY_BIT: Record<MaskKey, number> = { DAY: 1, CHANNEL: 2, PROVIDER: 4 };
const PARTITION: Record<MaskKey, (a: string) => string> = {
  DAY: (a) => `date_trunc('day', ${a}created_at, 'UTC')`,
  CHANNEL: (a) => `${a}channel`,
  PROVIDER: (a) => `${a}provider`,
};

/** The mask bit that counts verifications for these keys (the others are ignored). */
export function keyBit(keys: readonly string[]): number {
  let index = 0;
  for (const k of Object.keys(KEY_BIT) as MaskKey[]) if (keys.includes(k)) index |= KEY_BIT[k];
  return 1 << index;
}

/**
 * The mask as SQL over the rows of one FROM (alias `a`: columns verification_id, created_at, id,
 * channel, provider): "first" among the rows the query's WHERE leaves — all of a verification's
 * attempts for the rollup, the period's for the live part.
 */
export function firstMaskSql(alias = ""): string {
  const a = alias ? `${alias}.` : "";
  const terms: string[] = [];
  for (let index = 0; index < 8; index++) {
    const parts = [`${a}verification_id`, ...(Object.keys(KEY_BIT) as MaskKey[]).filter((k) => index & KEY_BIT[k]).map((k) => PARTITION[k](a))];
    terms.push(`CASE WHEN row_number() OVER (PARTITION BY ${parts.join(", ")} ORDER BY ${a}created_at, ${a}id) = 1 THEN ${1 << index} ELSE 0 END`);
  }
  return `(${terms.join("\n        + ")})::smallint`;
}
