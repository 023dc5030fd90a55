import type { DataSource } from "typeorm";
import { validateAppOptions, type AppOptions } from "../../apps/app-service";
import { badInput, notFound } from "../../errors";
import { parseAnyDestination } from "../../verification/destination";
import { Channel } from "../../verification/enums";
import { checkLocale, isUuid } from "../../verification/input-rules";
import { likeEscape, pageSql, Where, type PageArgs } from "./list-sql";

/** App settings as the dashboard edits them: the limits, the countries, and the jsonb extras. */
export interface AppSettingsInput {
  name?: string | null;
  codeLength?: number | null;
  ttlSeconds?: number | null;
  maxAttempts?: number | null;
  resendCooldownSeconds?: number | null;
  maxSends?: number | null;
  hourlyBudget?: number | null;
  countries?: string[] | null;
  defaultLocale?: string | null;
  fallbackChannel?: string | null;
  testDestinations?: string[] | null;
  smsAppHash?: string | null;
  webOtpDomain?: string | null;
}

const SORTS: Record<string, string> = { name: "lower(a.name)", createdAt: "a.created_at", updatedAt: "a.updated_at" };

export function toAppRecord(r: Record<string, any>) {
  const s = r.settings ?? {};
  return {
    id: r.id, name: r.name, codeLength: r.code_length, ttlSeconds: r.ttl_seconds, maxAttempts: r.max_attempts,
    resendCooldownSeconds: r.resend_cooldown_seconds, maxSends: r.max_sends, hourlyBudget: r.hourly_budget,
    countries: r.countries ?? [], defaultLocale: r.default_locale, fallbackChannel: s.fallbackChannel ?? null,
    // Stored as { destination, code, outcome? } (abuse/test-destinations.ts): the dashboard lists the destinations, never the codes.
    testDestinations: ((s.testDestinations ?? []) as Array<string | { destination: string }>).map((t) => (typeof t === "string" ? t : t.destination)),
    smsAppHash: s.smsAppHash ?? null, webOtpDomain: s.webOtpDomain ?? null,
    createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
    keys: ((r.keys ?? []) as Array<Record<string, any>>).map((k) => ({
      id: k.id, hint: `otpk_${k.id}_…`, createdAt: new Date(k.created_at), revokedAt: k.revoked_at ? new Date(k.revoked_at) : null,
    })),
  };
}
export type AppRecord = ReturnType<typeof toAppRecord>;

/** An app without its keys, for before/after snapshots in the audit log. */
export const appSnapshot = ({ keys: _keys, ...rest }: AppRecord) => rest;

const KEYS = `(SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'created_at', k.created_at, 'revoked_at', k.revoked_at)
                 ORDER BY k.created_at DESC), '[]') FROM api_keys k WHERE k.app_id = a.id) AS keys`;

export async function listApps(ds: DataSource, filter: { q?: string | null; ids?: string[] | null }, page: PageArgs) {
  const where = new Where();
  if (filter.q) where.add("a.name ILIKE '%' || ? || '%'", likeEscape(filter.q));
  if (filter.ids) where.add("a.id::text = ANY(?)", filter.ids);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM apps a ${where.clause}`, where.params);
  const order = pageSql(page, SORTS, "name", where, "a.id");
  const rows = await ds.query(`SELECT a.*, ${KEYS} FROM apps a ${where.clause} ${order}`, where.params);
  return { data: rows.map(toAppRecord), total: total as number };
}

export async function loadApp(ds: DataSource, id: string): Promise<AppRecord> {
  if (!isUuid(id)) throw notFound("App not found");
  const rows = await ds.query(`SELECT a.*, ${KEYS} FROM apps a WHERE a.id = $1`, [id]);
  if (!rows.length) throw notFound("App not found");
  return toAppRecord(rows[0]);
}

/** Checks settings the way `otp-gateway app create` does, plus the dashboard's extras; BAD_USER_INPUT names the field. */
export function checkAppSettings(input: AppSettingsInput, creating: boolean): { options: Partial<AppOptions>; extras: Record<string, unknown> } {
  const options: Partial<AppOptions> = {};
  if (input.name != null || creating) options.name = (input.name ?? "").trim();
  if (input.codeLength != null) options.codeLength = input.codeLength;
  if (input.ttlSeconds != null) options.ttlSeconds = input.ttlSeconds;
  if (input.maxAttempts != null) options.maxAttempts = input.maxAttempts;
  if (input.resendCooldownSeconds != null) options.resendCooldownSeconds = input.resendCooldownSeconds;
  if (input.maxSends != null) options.maxSends = input.maxSends;
  if (input.hourlyBudget !== undefined) options.hourlyBudget = input.hourlyBudget === 0 ? null : input.hourlyBudget;
  if (input.countries != null) options.countries = input.countries.map((c) => c.trim().toUpperCase()).filter(Boolean);
  if (input.defaultLocale != null) options.defaultLocale = checkLocale(input.defaultLocale) ?? "en";
  try {
    validateAppOptions({ name: options.name ?? "unchanged", ...options });
  } catch (err) {
    const message = (err as Error).message;
    throw badInput(fieldOf(message), message);
  }
  const extras: Record<string, unknown> = {};
  if (input.fallbackChannel !== undefined) {
    if (input.fallbackChannel !== null && input.fallbackChannel !== "" && !Object.values(Channel).includes(input.fallbackChannel as Channel)) {
      throw badInput("fallbackChannel", "fallbackChannel is SMS, VOICE or EMAIL");
    }
    extras.fallbackChannel = input.fallbackChannel || null;
  }
  if (input.testDestinations != null) {
    if (input.testDestinations.length > 50) throw badInput("testDestinations", "At most 50 test destinations");
    extras.testDestinations = [...new Set(input.testDestinations.filter((d) => d.trim()).map((d) => parseAnyDestination(d, "testDestinations").value))];
  }
  if (input.smsAppHash !== undefined) {
    if (input.smsAppHash && !/^[A-Za-z0-9+/]{11}$/.test(input.smsAppHash)) throw badInput("smsAppHash", "The SMS Retriever app hash is 11 characters");
    extras.smsAppHash = input.smsAppHash || null;
  }
  if (input.webOtpDomain !== undefined) {
    if (input.webOtpDomain && !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(input.webOtpDomain)) {
      throw badInput("webOtpDomain", "webOtpDomain is a domain name such as example.com");
    }
    extras.webOtpDomain = input.webOtpDomain || null;
  }
  return { options, extras };
}

function fieldOf(message: string): string {
  const map: Array<[string, string]> = [
    ["name", "name"], ["ttl", "ttlSeconds"], ["code length", "codeLength"], ["max attempts", "maxAttempts"],
    ["resend cooldown", "resendCooldownSeconds"], ["max sends", "maxSends"], ["hourly budget", "hourlyBudget"], ["country", "countries"],
  ];
  return map.find(([word]) => message.startsWith(word))?.[1] ?? "input";
}

/** Applies checked settings in one UPDATE; jsonb extras are merged, a null extra removes it. */
export async function updateApp(ds: DataSource, id: string, input: AppSettingsInput): Promise<AppRecord> {
  const { options: o, extras } = checkAppSettings(input, false);
  const rows = await ds.query(
    `WITH u AS (UPDATE apps SET
        name = coalesce($2, name), code_length = coalesce($3, code_length), ttl_seconds = coalesce($4, ttl_seconds),
        max_attempts = coalesce($5, max_attempts), resend_cooldown_seconds = coalesce($6, resend_cooldown_seconds),
        max_sends = coalesce($7, max_sends),
        hourly_budget = CASE WHEN $8::boolean THEN $9 ELSE hourly_budget END,
        countries = CASE WHEN $10::boolean THEN $11::text[] ELSE countries END,
        default_locale = coalesce($12, default_locale),
        settings = jsonb_strip_nulls(settings || $13::jsonb),
        updated_at = now()
      WHERE id = $1 RETURNING id) SELECT id FROM u`,
    [
      id, o.name ?? null, o.codeLength ?? null, o.ttlSeconds ?? null, o.maxAttempts ?? null, o.resendCooldownSeconds ?? null, o.maxSends ?? null,
      "hourlyBudget" in o, o.hourlyBudget ?? null, "countries" in o, o.countries?.length ? o.countries : null, o.defaultLocale ?? null,
      JSON.stringify(extras),
    ],
  );
  if (!rows.length) throw notFound("App not found");
  return loadApp(ds, id);
}

/** Revokes one key of an app; returns whether it was live. */
export async function revokeKey(ds: DataSource, appId: string, keyId: string): Promise<boolean> {
  const rows = await ds.query(`WITH u AS (UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND app_id = $2 AND revoked_at IS NULL RETURNING id) SELECT id FROM u`, [keyId, appId]);
  return rows.length > 0;
}
