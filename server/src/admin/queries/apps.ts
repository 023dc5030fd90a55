import type { DataSource } from "typeorm";
import { validateAppOptions, type AppOptions, type AppPolicy } from "../../apps/app-service";
import type { AppSettings } from "../../apps/app.entity";
import { checkAbuseSettings } from "../../protection/app-settings-check";
import { badInput, notFound } from "../../errors";
import { isUuid } from "../../verification/input-rules";
import { likeEscape, pageSql, Where, type PageArgs } from "./list-sql";
import { clientIpShareHint } from "../../protection/client-ip-hint";

/** App settings as the dashboard edits them: the contract's limits, countries, and the settings extras. Absent = unchanged. */
export interface AppSettingsInput {
  name?: string | null;
  codeLength?: number | null;
  ttlSeconds?: number | null;
  maxAttempts?: number | null;
  resendCooldownSeconds?: number | null;
  maxSends?: number | null;
  hourlyBudget?: number | null;
  countries?: string[] | null;
  voiceCountries?: string[] | null;
  defaultLocale?: string | null;
  fallbackChannel?: string | null;
  testDestinations?: Array<{ destination: string; code: string; outcome?: string | null }> | null;
  smsAppHash?: string | null;
  webOtpDomain?: string | null;
  /** settings.simSwap: { maxAgeHours, action }; null turns the check off. */
  simSwap?: { maxAgeHours: number; action: string } | null;
  /** settings.limits (abuse limit overrides, protection/abuse-settings.ts) as JSON; "" or "{}" for the defaults. */
  limits?: string | null;
}

const SORTS: Record<string, string> = { name: "lower(a.name)", createdAt: "a.created_at", updatedAt: "a.updated_at" };

export function toAppRecord(r: Record<string, any>) {
  const s: AppSettings = r.settings ?? {};
  return {
    id: r.id, name: r.name, codeLength: r.code_length, ttlSeconds: r.ttl_seconds, maxAttempts: r.max_attempts,
    resendCooldownSeconds: r.resend_cooldown_seconds, maxSends: r.max_sends, hourlyBudget: r.hourly_budget,
    countries: r.countries ?? [], voiceCountries: s.voiceCountries ?? [], defaultLocale: r.default_locale, fallbackChannel: s.fallbackChannel ?? null,
    testDestinations: (s.testDestinations ?? []).map((t) => ({ destination: t.destination, code: t.code, outcome: t.outcome ?? "DELIVERED" })),
    smsAppHash: s.smsAppHash ?? null, webOtpDomain: s.webOtpDomain ?? null, limits: JSON.stringify(s.limits ?? {}),
    simSwap: s.simSwap ? { maxAgeHours: s.simSwap.maxAgeHours, action: s.simSwap.action } : null,
    createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
    requestsWithoutClientIp24h: share(r.without_client_ip), clientIpHint: clientIpShareHint(share(r.without_client_ip)),
    keys: ((r.keys ?? []) as Array<Record<string, any>>).map((k) => ({
      id: k.id, hint: `otpk_${k.id}_…`, createdAt: new Date(k.created_at), revokedAt: k.revoked_at ? new Date(k.revoked_at) : null,
    })),
  };
}
export type AppRecord = ReturnType<typeof toAppRecord>;

const share = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** An app without its keys (nor its traffic figures, which are no setting), for before/after snapshots in the audit log. */
export const appSnapshot = ({ keys: _keys, requestsWithoutClientIp24h: _share, clientIpHint: _hint, ...rest }: AppRecord) => rest;

const KEYS = `(SELECT coalesce(jsonb_agg(jsonb_build_object('id', k.id, 'created_at', k.created_at, 'revoked_at', k.revoked_at)
                 ORDER BY k.created_at DESC), '[]') FROM api_keys k WHERE k.app_id = a.id) AS keys`;

/**
 * The share of the app's requests of the last 24 hours that came without clientIp (client_ip
 * holds only the clientIp the backend stated): no per-IP limit applies to those. Null without
 * requests. Over the index verifications (app_id, created_at).
 */
const WITHOUT_CLIENT_IP = `(SELECT avg((v.client_ip IS NULL)::int)::float8 FROM verifications v
                             WHERE v.app_id = a.id AND v.created_at > now() - interval '24 hours') AS without_client_ip`;

export async function listApps(ds: DataSource, filter: { q?: string | null; ids?: string[] | null }, page: PageArgs) {
  const where = new Where();
  if (filter.q) where.add("a.name ILIKE '%' || ? || '%'", likeEscape(filter.q));
  if (filter.ids) where.add("a.id::text = ANY(?)", filter.ids);
  const [{ total }] = await ds.query(`SELECT count(*)::int AS total FROM apps a ${where.clause}`, where.params);
  const order = pageSql(page, SORTS, "name", where, "a.id");
  const rows = await ds.query(`SELECT a.*, ${KEYS}, ${WITHOUT_CLIENT_IP} FROM apps a ${where.clause} ${order}`, where.params);
  return { data: rows.map(toAppRecord), total: total as number };
}

async function appRow(ds: DataSource, id: string): Promise<Record<string, any>> {
  if (!isUuid(id)) throw notFound("App not found");
  const rows = await ds.query(`SELECT a.*, ${KEYS}, ${WITHOUT_CLIENT_IP} FROM apps a WHERE a.id = $1`, [id]);
  if (!rows.length) throw notFound("App not found");
  return rows[0];
}

export async function loadApp(ds: DataSource, id: string): Promise<AppRecord> {
  return toAppRecord(await appRow(ds, id));
}

/** The field a validation sentence is about, for BAD_USER_INPUT's `field`. */
function fieldOf(message: string): string {
  const map: Array<[string, string]> = [
    ["name", "name"], ["ttl", "ttlSeconds"], ["code length", "codeLength"], ["max attempts", "maxAttempts"],
    ["resend cooldown", "resendCooldownSeconds"], ["max sends", "maxSends"], ["hourly budget", "hourlyBudget"], ["country", "countries"],
    ["voice country", "voiceCountries"], ["voiceCountries", "voiceCountries"], ["fallback channel", "fallbackChannel"],
    ["default locale", "defaultLocale"], ["testDestinations", "testDestinations"], ["limits", "limits"], ["SMS app hash", "smsAppHash"],
    ["WebOTP domain", "webOtpDomain"], ["simSwap", "simSwap"],
  ];
  return map.find(([word]) => message.startsWith(word))?.[1] ?? "input";
}

/** The settings jsonb after applying the input's extras to `current` (null or empty removes one). */
function mergeSettings(current: AppSettings, input: AppSettingsInput): AppSettings {
  const s: Record<string, unknown> = { ...current };
  const set = (key: keyof AppSettings, value: unknown) => {
    if (value === undefined) return;
    if (value === null || value === "" || (Array.isArray(value) && !value.length)) delete s[key];
    else s[key] = value;
  };
  set("fallbackChannel", input.fallbackChannel);
  set("smsAppHash", input.smsAppHash);
  set("webOtpDomain", input.webOtpDomain);
  set("voiceCountries", input.voiceCountries);
  // A plain object (the GraphQL input is a class instance): only the two keys the check knows.
  set("simSwap", input.simSwap ? { maxAgeHours: input.simSwap.maxAgeHours, action: input.simSwap.action } : input.simSwap);
  set("testDestinations", input.testDestinations?.map((t) => (t.outcome ? t : { destination: t.destination, code: t.code })));
  if (input.limits !== undefined) {
    let limits: unknown = null;
    if (input.limits && input.limits.trim()) {
      try {
        limits = JSON.parse(input.limits);
      } catch {
        throw badInput("limits", "limits must be JSON, e.g. {\"sendsPerIp\": {\"max\": 20, \"windowSeconds\": 3600}}");
      }
    }
    set("limits", limits && typeof limits === "object" && !Object.keys(limits).length ? null : limits);
  }
  return s as AppSettings;
}

/**
 * Checks an app's options and settings the way `otp-gateway app create` and the gateway do
 * (abuse limits, test destinations per this environment's policy, channel extras), returning
 * what to store. A problem is BAD_USER_INPUT naming its field.
 */
export function checkApp(input: AppSettingsInput, current: { options: AppOptions; settings: AppSettings } | null, policy: AppPolicy): AppOptions & { settings: AppSettings } {
  const base = current?.options ?? { name: "" };
  const options: AppOptions = {
    name: input.name != null ? input.name.trim() : base.name,
    codeLength: input.codeLength ?? base.codeLength,
    ttlSeconds: input.ttlSeconds ?? base.ttlSeconds,
    maxAttempts: input.maxAttempts ?? base.maxAttempts,
    resendCooldownSeconds: input.resendCooldownSeconds ?? base.resendCooldownSeconds,
    maxSends: input.maxSends ?? base.maxSends,
    hourlyBudget: input.hourlyBudget === undefined ? base.hourlyBudget : input.hourlyBudget === 0 ? null : input.hourlyBudget,
    countries: input.countries != null ? input.countries.map((c) => c.trim().toUpperCase()).filter(Boolean) : base.countries,
    defaultLocale: input.defaultLocale ?? base.defaultLocale,
  };
  const settings = mergeSettings(current?.settings ?? {}, input);
  try {
    validateAppOptions({ ...options, settings }, policy);
  } catch (err) {
    const message = (err as Error).message;
    throw badInput(fieldOf(message), message);
  }
  return { ...options, settings: checkAbuseSettings(settings, options.codeLength ?? 6, policy).settings };
}

/** Applies checked settings in one UPDATE. */
export async function updateApp(ds: DataSource, id: string, input: AppSettingsInput, policy: AppPolicy): Promise<AppRecord> {
  const r = await appRow(ds, id);
  const current: AppOptions = {
    name: r.name, codeLength: r.code_length, ttlSeconds: r.ttl_seconds, maxAttempts: r.max_attempts, resendCooldownSeconds: r.resend_cooldown_seconds,
    maxSends: r.max_sends, hourlyBudget: r.hourly_budget, countries: r.countries, defaultLocale: r.default_locale,
  };
  const o = checkApp(input, { options: current, settings: r.settings ?? {} }, policy);
  await ds.query(
    `UPDATE apps SET name = $2, code_length = $3, ttl_seconds = $4, max_attempts = $5, resend_cooldown_seconds = $6, max_sends = $7,
            hourly_budget = $8, countries = $9::text[], default_locale = $10, settings = $11::jsonb, updated_at = now()
      WHERE id = $1`,
    [id, o.name, o.codeLength, o.ttlSeconds, o.maxAttempts, o.resendCooldownSeconds, o.maxSends, o.hourlyBudget ?? null,
      o.countries?.length ? o.countries : null, o.defaultLocale, JSON.stringify(o.settings)],
  );
  return loadApp(ds, id);
}
