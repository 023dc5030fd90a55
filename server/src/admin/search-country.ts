import type { DataSource } from "typeorm";

const CACHE_MS = 5 * 60_000;
/** The newest verifications the traffic country is read from: enough to be sure, cheap on verifications_created. */
const SAMPLE = 1000;

/**
 * Which country a number typed without its country code ("(202) 555-0143") belongs to, for the
 * dashboard's search: DEFAULT_COUNTRY when the operator set it, otherwise the most common
 * destination country of the newest verifications (an all-US shop's support agents dictate US
 * numbers). Null when neither says (no setting, no phone traffic). Read at most every 5 minutes.
 */
export class SearchCountry {
  private cached: { country: string | null; until: number } | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly configured: string | undefined,
  ) {}

  async get(): Promise<string | null> {
    if (this.configured) return this.configured;
    if (this.cached && this.cached.until > Date.now()) return this.cached.country;
    const [row]: Array<{ country: string }> = await this.ds.query(
      `SELECT destination_country AS country FROM (SELECT destination_country FROM verifications ORDER BY created_at DESC LIMIT ${SAMPLE}) t
        WHERE destination_country IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
    );
    this.cached = { country: row?.country ?? null, until: Date.now() + CACHE_MS };
    return this.cached.country;
  }
}
