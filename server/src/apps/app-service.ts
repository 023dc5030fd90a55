import type { DataSource } from "typeorm";
import { checkAbuseSettings, type AbusePolicy } from "../protection/app-settings-check";
import { channelSettingsProblems } from "../channels/channel-settings";
import { supportedLocales } from "../channels/locales";
import { isUuid } from "../verification/input-rules";
import { Channel } from "../verification/enums";
import { AppEntity, type AppSettings } from "./app.entity";
import { ApiKeyEntity } from "./api-key.entity";
import { generateApiKey, parseApiKey, secretMatches } from "./api-key";
import type { ApiKeyCache } from "./key-cache";
import { simSwapSettingsProblems } from "../risk/sim-swap-settings";
import { NistBoundsError, clampToNist, nistProblems, type CodeSettings } from "./nist-bounds";

/** What the environment decides about saving apps: test destinations (AbusePolicy) and, in production, NIST's bounds on codes. */
export interface AppPolicy extends AbusePolicy {
  /** NODE_ENV=production: settings outside NIST SP 800-63B's bounds are refused, and saved ones run clamped. */
  production?: boolean;
}

/** The settings an app can be created or updated with; every limit has the contract's default. */
export interface AppOptions {
  name: string;
  codeLength?: number;
  ttlSeconds?: number;
  maxAttempts?: number;
  resendCooldownSeconds?: number;
  maxSends?: number;
  hourlyBudget?: number | null;
  countries?: string[] | null;
  defaultLocale?: string;
  settings?: AppEntity["settings"];
}

/** Which keys `revokeKeys` revokes: one, all, or (the rotation) all but the newest live one. */
export type KeyRevocation = { keyId: string } | { all: true } | { exceptNewest: true };

/** A key's public id as operators may give it: `otpk_<id>` (as the dashboard shows it) or the bare id. */
export function parseKeyId(value: string): string | null {
  const m = /^(?:otpk_)?([0-9a-f]{16})(?:_…)?$/.exec(value.trim());
  return m ? m[1] : null;
}

export class AppService {
  /** Without a policy, test destinations are refused: only a caller that knows the environment may allow them. */
  constructor(
    private readonly ds: DataSource,
    private readonly policy: AppPolicy = { allowTestDestinations: false },
    /** API processes pass one, so that requests don't each look their key up (see key-cache.ts). */
    private readonly keyCache?: ApiKeyCache,
  ) {}

  async create(options: AppOptions): Promise<{ app: AppEntity; apiKey: string }> {
    validateAppOptions(options, this.policy);
    const settings = checkAbuseSettings(options.settings, options.codeLength ?? 6, this.policy).settings;
    return this.ds.transaction(async (m) => {
      const app = await m.getRepository(AppEntity).save(
        m.getRepository(AppEntity).create({
          name: options.name,
          codeLength: options.codeLength ?? 6,
          ttlSeconds: options.ttlSeconds ?? 300,
          maxAttempts: options.maxAttempts ?? 5,
          resendCooldownSeconds: options.resendCooldownSeconds ?? 30,
          maxSends: options.maxSends ?? 5,
          hourlyBudget: options.hourlyBudget ?? null,
          countries: options.countries?.length ? options.countries.map((c) => c.toUpperCase()) : null,
          defaultLocale: options.defaultLocale ?? "en",
          settings,
        }),
      );
      const key = generateApiKey();
      await m.getRepository(ApiKeyEntity).insert({ id: key.id, appId: app.id, secretHash: key.secretHash });
      return { app, apiKey: key.key };
    });
  }

  /**
   * Merges top-level settings into an app's (a null value removes that setting), and `codes`
   * (code length, attempts, validity) into its columns, checked like a new app's against this
   * environment's policy: in production an app outside NIST's bounds is refused here until
   * `codes` brings it within them. Returns the stored settings and code settings.
   */
  async updateSettings(appId: string, patch: Partial<Record<keyof AppSettings, unknown>>, codes: Partial<CodeSettings> = {}): Promise<AppSettings & CodeSettings> {
    const app = isUuid(appId) ? await this.find(appId) : null;
    if (!app) throw new Error(`no app with id ${appId}`);
    const merged: Record<string, unknown> = { ...app.settings, ...patch };
    for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
    const next: CodeSettings = { codeLength: codes.codeLength ?? app.codeLength, maxAttempts: codes.maxAttempts ?? app.maxAttempts, ttlSeconds: codes.ttlSeconds ?? app.ttlSeconds };
    validateCodeSettings(next, this.policy);
    const checked = checkAbuseSettings(merged as AppSettings, next.codeLength, this.policy);
    const problems = [...checked.problems, ...simSwapSettingsProblems(merged.simSwap)];
    if (problems.length) throw new AppSettingsRefused(problems);
    // Only the code settings given are written: one left out keeps whatever the row has.
    await this.ds.query(
      `UPDATE apps SET settings = $2::jsonb, code_length = coalesce($3, code_length), max_attempts = coalesce($4, max_attempts),
              ttl_seconds = coalesce($5, ttl_seconds), updated_at = now() WHERE id = $1`,
      [appId, JSON.stringify(checked.settings), codes.codeLength ?? null, codes.maxAttempts ?? null, codes.ttlSeconds ?? null],
    );
    this.keyCache?.invalidate(appId); // other processes hear of it by NOTIFY
    return { ...checked.settings, ...next };
  }

  /** Issues a new key; older keys stay valid until revoked, so clients can roll over without downtime. */
  async addKey(appId: string): Promise<{ id: string; key: string }> {
    const key = generateApiKey();
    await this.ds.getRepository(ApiKeyEntity).insert({ id: key.id, appId, secretHash: key.secretHash });
    return { id: key.id, key: key.key };
  }

  /**
   * Revokes keys of an app and returns the ids it revoked. By default every live key but the
   * newest (a rotation: `add-key`, deploy the new key, then this); `{ keyId }` one key;
   * `{ all: true }` every key (a leak: the app stops until a key is added). The cache of this
   * process forgets the app before this returns, so the very next request here is refused;
   * other processes drop it when the key-change NOTIFY reaches them (see key-cache.ts).
   */
  async revokeKeys(appId: string, which: KeyRevocation = { exceptNewest: true }): Promise<string[]> {
    const scope =
      "keyId" in which ? `AND id = $2`
      : "all" in which ? ``
      : `AND id <> (SELECT id FROM api_keys WHERE app_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1)`;
    const rows: Array<{ id: string }> = await this.ds.query(
      `WITH r AS (UPDATE api_keys SET revoked_at = now() WHERE app_id = $1 AND revoked_at IS NULL ${scope} RETURNING id) SELECT id FROM r`,
      "keyId" in which ? [appId, which.keyId] : [appId],
    );
    this.keyCache?.invalidate(appId);
    return rows.map((r) => r.id);
  }

  /** Issues a new key and revokes `keyId` in one statement (the dashboard's "replace this key now"); null when `keyId` isn't live. */
  async replaceKey(appId: string, keyId: string): Promise<{ id: string; key: string } | null> {
    const key = generateApiKey();
    const rows = await this.ds.query(
      `WITH r AS (UPDATE api_keys SET revoked_at = now() WHERE id = $3 AND app_id = $2 AND revoked_at IS NULL RETURNING id)
       INSERT INTO api_keys (id, app_id, secret_hash) SELECT $1, $2, $4 FROM r RETURNING id`,
      [key.id, appId, keyId, key.secretHash],
    );
    this.keyCache?.invalidate(appId);
    return rows.length ? { id: key.id, key: key.key } : null;
  }

  async find(appId: string): Promise<AppEntity | null> {
    return this.ds.getRepository(AppEntity).findOneBy({ id: appId });
  }

  async count(): Promise<number> {
    return this.ds.getRepository(AppEntity).count();
  }

  /** The app a key belongs to, or null for a missing, malformed, unknown or revoked key. */
  async authenticate(key: string | null): Promise<AppEntity | null> {
    const parsed = key ? parseApiKey(key) : null;
    if (!parsed) return null;
    const cached = this.keyCache?.get(parsed.id);
    if (cached) return secretMatches(parsed.secret, cached.secretHash) ? cached.app : null;
    const version = this.keyCache?.version ?? 0;
    const rows: Array<{ secret_hash: Buffer; app: Record<string, unknown> }> = await this.ds.query(
      `SELECT k.secret_hash, to_jsonb(a.*) AS app FROM api_keys k JOIN apps a ON a.id = k.app_id
        WHERE k.id = $1 AND k.revoked_at IS NULL`,
      [parsed.id],
    );
    if (!rows.length || !secretMatches(parsed.secret, rows[0].secret_hash)) return null;
    // In production, an app saved outside NIST's bounds runs within them (named at start-up: see reportOutOfBoundsApps).
    const app = this.policy.production ? clampToNist(appFromRow(rows[0].app)) : appFromRow(rows[0].app);
    this.keyCache?.set(parsed.id, rows[0].secret_hash, app, version);
    return app;
  }
}

/** An app from its row as `to_jsonb(apps.*)` gives it. */
export function appFromRow(r: Record<string, any>): AppEntity {
  return Object.assign(new AppEntity(), {
    id: r.id,
    name: r.name,
    codeLength: r.code_length,
    ttlSeconds: r.ttl_seconds,
    maxAttempts: r.max_attempts,
    resendCooldownSeconds: r.resend_cooldown_seconds,
    maxSends: r.max_sends,
    hourlyBudget: r.hourly_budget,
    countries: r.countries,
    defaultLocale: r.default_locale,
    settings: r.settings ?? {},
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  });
}

/** Channels an app may name as its fallback (settings.fallbackChannel). */
/** Channels an app may name as its fallback (settings.fallbackChannel): every channel (a Telegram app falls back to SMS, an SMS app may to Telegram). */
export const FALLBACK_CHANNELS: readonly string[] = Object.values(Channel);

/** An app's options or settings refused by the checks: bad input (the CLI exits 2 on it, the admin API answers BAD_USER_INPUT). */
export class AppSettingsRefused extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
    this.name = "AppSettingsRefused";
  }
}

/** Checks an app's options (and the abuse parts of its settings); throws one AppSettingsRefused listing every problem. */
export function validateAppOptions(o: AppOptions, policy: AppPolicy = { allowTestDestinations: false }): void {
  const problems: string[] = [];
  const range = (name: string, v: number | undefined | null, min: number, max: number) => {
    if (v !== undefined && v !== null && (!Number.isInteger(v) || v < min || v > max)) problems.push(`${name} must be a whole number from ${min} to ${max}`);
  };
  if (!o.name || o.name.trim().length === 0 || o.name.length > 100) problems.push("name must be 1 to 100 characters");
  range("ttl", o.ttlSeconds, 1, 86400);
  range("code length", o.codeLength, 4, 10);
  range("max attempts", o.maxAttempts, 1, 20);
  range("resend cooldown", o.resendCooldownSeconds, 0, 3600);
  range("max sends", o.maxSends, 1, 1000);
  range("hourly budget", o.hourlyBudget, 1, 10_000_000);
  for (const c of o.countries ?? []) if (!/^[A-Za-z]{2}$/.test(c)) problems.push(`country "${c}" is not an ISO 3166 alpha-2 code`);
  if (o.settings?.fallbackChannel !== undefined && !FALLBACK_CHANNELS.includes(o.settings.fallbackChannel)) {
    problems.push(`fallback channel must be one of ${FALLBACK_CHANNELS.join(", ")}`);
  }
  if (o.settings) problems.push(...checkAbuseSettings(o.settings, o.codeLength ?? 6, policy).problems);
  // The default is what messages fall back to, so it must be a language the gateway speaks.
  if (o.defaultLocale !== undefined && !(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/.test(o.defaultLocale) && supportedLocales.includes(o.defaultLocale.split("-")[0].toLowerCase()))) {
    problems.push(`default locale must be one of ${supportedLocales.join(", ")} (optionally with a region, e.g. pt-BR)`);
  }
  problems.push(...channelSettingsProblems(o.settings ?? {}));
  problems.push(...simSwapSettingsProblems(o.settings?.simSwap));
  const nist = policy.production ? nistProblems({ codeLength: o.codeLength, maxAttempts: o.maxAttempts, ttlSeconds: o.ttlSeconds }) : [];
  // A NIST refusal is its own error (the CLI exits 2 on it, as on a configuration error), listing the other problems too.
  if (nist.length) throw new NistBoundsError([...nist, ...problems].join("; "));
  if (problems.length) throw new AppSettingsRefused(problems);
}

/** The code settings alone, checked as validateAppOptions checks them (the ranges, then NIST's bounds in production). */
export function validateCodeSettings(c: CodeSettings, policy: AppPolicy): void {
  validateAppOptions({ name: "-", ...c }, policy);
}
