import type { Logger } from "pino";
import type { DataSource } from "typeorm";

/**
 * NIST SP 800-63B's bounds on a look-up secret sent out of band (§5.1.3, §5.2.2): at least six
 * digits, few guesses, a short life. In production an app is saved only within them; an app
 * saved earlier outside them (in development, or before this rule) runs clamped to them and is
 * named in the log at start-up, so that the operator fixes it.
 */
export const NIST_BOUNDS = { minCodeLength: 6, maxAttempts: 10, maxTtlSeconds: 600 } as const;

/** What the bounds look at: the app's own settings, as stored. */
export interface CodeSettings {
  codeLength: number;
  maxAttempts: number;
  ttlSeconds: number;
}

/**
 * A refusal of settings outside the bounds. The CLI exits 2 on it (a rule of the deployment,
 * like a configuration error); the admin API answers BAD_USER_INPUT naming the field.
 */
export class NistBoundsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NistBoundsError";
  }
}

/**
 * Each setting outside the bounds, as a sentence that starts with the setting's name (the
 * admin API maps it to its field). Absent values are not judged: they take the defaults, which
 * are within the bounds.
 */
export function nistProblems(o: Partial<CodeSettings>): string[] {
  const problems: string[] = [];
  if (o.codeLength !== undefined && o.codeLength < NIST_BOUNDS.minCodeLength) {
    problems.push(`code length must be at least ${NIST_BOUNDS.minCodeLength} digits in production (NIST SP 800-63B)`);
  }
  if (o.maxAttempts !== undefined && o.maxAttempts > NIST_BOUNDS.maxAttempts) {
    problems.push(`max attempts must be at most ${NIST_BOUNDS.maxAttempts} per verification in production (NIST SP 800-63B)`);
  }
  if (o.ttlSeconds !== undefined && o.ttlSeconds > NIST_BOUNDS.maxTtlSeconds) {
    problems.push(`ttl must be at most ${NIST_BOUNDS.maxTtlSeconds} seconds in production (NIST SP 800-63B)`);
  }
  return problems;
}

/** The settings a request runs with: within the bounds; the same object when it already was. */
export function clampToNist<T extends CodeSettings>(app: T): T {
  const clamped = {
    codeLength: Math.max(app.codeLength, NIST_BOUNDS.minCodeLength),
    maxAttempts: Math.min(app.maxAttempts, NIST_BOUNDS.maxAttempts),
    ttlSeconds: Math.min(app.ttlSeconds, NIST_BOUNDS.maxTtlSeconds),
  };
  if (clamped.codeLength === app.codeLength && clamped.maxAttempts === app.maxAttempts && clamped.ttlSeconds === app.ttlSeconds) return app;
  return Object.assign(Object.create(Object.getPrototypeOf(app)), app, clamped);
}

/**
 * Logs, once at start-up, every app saved outside the bounds: its id, name, stored settings and
 * the values it runs with. Production only (elsewhere nothing is clamped). Returns their ids.
 */
export async function reportOutOfBoundsApps(ds: DataSource, log: Logger): Promise<string[]> {
  const rows: Array<{ id: string; name: string; code_length: number; max_attempts: number; ttl_seconds: number }> = await ds.query(
    `SELECT id, name, code_length, max_attempts, ttl_seconds FROM apps
      WHERE code_length < $1 OR max_attempts > $2 OR ttl_seconds > $3 ORDER BY name, id`,
    [NIST_BOUNDS.minCodeLength, NIST_BOUNDS.maxAttempts, NIST_BOUNDS.maxTtlSeconds],
  );
  for (const r of rows) {
    const saved = { codeLength: r.code_length, maxAttempts: r.max_attempts, ttlSeconds: r.ttl_seconds };
    log.warn(
      { appId: r.id, appName: r.name, saved, runsWith: clampToNist(saved), problems: nistProblems(saved) },
      `app "${r.name}" (${r.id}) has settings outside NIST SP 800-63B's bounds; it runs clamped to them until they are changed (otp-gateway app settings, or the dashboard)`,
    );
  }
  return rows.map((r) => r.id);
}
