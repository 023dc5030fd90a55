import type { DataSource } from "typeorm";
import type { LogCapture } from "./log-capture";

/**
 * Waits until `fn` returns a value (not undefined), polling; fails with `what` after the timeout.
 * The default is generous (15 s): it only bounds how long a failing test takes to say so, and
 * the suites share two cores, where a message that takes 50 ms alone can take seconds.
 */
export async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The code in the newest outbox message to `to`, as a person would read it off their phone. */
export function codeFromOutbox(logs: LogCapture, to: string, after = 0): Promise<string> {
  return eventually(() => {
    const lines = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.outbox && l.outbox.to === to);
    const body: string | undefined = lines.slice(after).at(-1)?.outbox.body;
    return body ? extractCode(body) : undefined;
  }, `an outbox message to ${to}`);
}

/**
 * The code in the newest outbox message to `to`, read from the outbox table (as the dashboard's
 * outbox page does): in production (OUTBOX_IN_PRODUCTION) the outbox logs no message text.
 * `after` skips that many earlier messages to `to`, as codeFromOutbox does.
 */
export function codeFromOutboxTable(ds: DataSource, to: string, after = 0): Promise<string> {
  return eventually(async () => {
    const rows: Array<{ body: string }> = await ds.query(`SELECT body FROM outbox_messages WHERE recipient = $1 ORDER BY created_at, id`, [to]);
    const body = rows.slice(after).at(-1)?.body;
    return body ? extractCode(body) : undefined;
  }, `an outbox message to ${to} in the outbox table`);
}

/** Pulls a code out of a message body: the first run of 4-10 digits (voice scripts read them "1, 2, 3"). */
export function extractCode(body: string): string {
  const direct = /\b(\d{4,10})\b/.exec(body);
  if (direct) return direct[1];
  const spoken = /(\d(?:, \d){3,9})/.exec(body);
  if (spoken) return spoken[1].replace(/, /g, "");
  throw new Error(`no code in message: ${body}`);
}
