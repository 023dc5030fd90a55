import { badInput } from "../errors";

/**
 * The keyset position of an attempt in newest-first order: its created_at in whole microseconds
 * since the epoch (a JS Date would drop Postgres' microseconds and skip or repeat rows) and its id.
 * Opaque to clients: base64url of a small JSON array.
 */
export interface AttemptCursor { micros: string; id: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(cursor: AttemptCursor): string {
  return Buffer.from(JSON.stringify([cursor.micros, cursor.id])).toString("base64url");
}

/** A cursor this server did not hand out (or one tampered with) is BAD_USER_INPUT on `after`. */
export function decodeCursor(text: string): AttemptCursor {
  const refuse = () => badInput("after", "Not a cursor from a previous page's `next`");
  if (text.length > 200 || !/^[A-Za-z0-9_-]+$/.test(text)) throw refuse();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(value) || value.length !== 2) throw refuse();
  const [micros, id] = value;
  if (typeof micros !== "string" || !/^\d{1,17}$/.test(micros) || typeof id !== "string" || !UUID.test(id)) throw refuse();
  return { micros, id };
}
