import type { DataSource } from "typeorm";
import { AuditLog, type Actor } from "../admin/auth/audit-log";
import { badInput, notFound } from "../errors";
import { isUuid } from "../verification/input-rules";
import { entrySize, MAX_SAFELIST_ENTRIES, normalizeSafelistPattern, type SafelistEntry } from "./safelist";

/**
 * Changing an app's safe list, for the CLI and the dashboard alike: each change reads and
 * writes the app's settings under a row lock (two operators adding at once both land) and is
 * audited in the same transaction, with the entry before and after. The request path reads the
 * list from the app it already holds (the API key cache drops the app on the change).
 */
export class SafelistService {
  constructor(private readonly ds: DataSource) {}

  async list(appId: string): Promise<SafelistEntry[]> {
    if (!isUuid(appId)) throw notFound("App not found");
    const [row] = await this.ds.query(`SELECT settings->'safelist' AS list FROM apps WHERE id = $1`, [appId]);
    if (!row) throw notFound("App not found");
    return row.list ?? [];
  }

  async add(appId: string, raw: string, note: string | null | undefined, actor: Actor, ip: string | null = null): Promise<SafelistEntry> {
    const n = normalizeSafelistPattern(raw);
    if ("problem" in n) throw badInput("pattern", n.problem);
    const cleanNote = note?.trim() || null;
    if (cleanNote && cleanNote.length > 200) throw badInput("note", "A note is at most 200 characters");
    return this.change(appId, actor, ip, "safelist.add", (list) => {
      if (list.some((e) => e.pattern === n.pattern)) throw badInput("pattern", `${n.pattern} is already on the safe list`);
      if (list.length >= MAX_SAFELIST_ENTRIES) throw badInput("pattern", `The safe list holds at most ${MAX_SAFELIST_ENTRIES} entries`);
      const entry: SafelistEntry = { pattern: n.pattern, note: cleanNote, addedBy: actor.email, addedAt: new Date().toISOString() };
      return { list: [...list, entry], entry, before: null };
    });
  }

  async remove(appId: string, raw: string, actor: Actor, ip: string | null = null): Promise<SafelistEntry> {
    const n = normalizeSafelistPattern(raw);
    if ("problem" in n) throw badInput("pattern", n.problem);
    return this.change(appId, actor, ip, "safelist.remove", (list) => {
      const entry = list.find((e) => e.pattern === n.pattern);
      if (!entry) throw notFound(`${n.pattern} is not on the safe list`);
      return { list: list.filter((e) => e !== entry), entry, before: entry };
    });
  }

  private async change(
    appId: string, actor: Actor, ip: string | null, action: string,
    edit: (list: SafelistEntry[]) => { list: SafelistEntry[]; entry: SafelistEntry; before: SafelistEntry | null },
  ): Promise<SafelistEntry> {
    if (!isUuid(appId)) throw notFound("App not found");
    return this.ds.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT coalesce(settings->'safelist', '[]'::jsonb) AS list FROM apps WHERE id = $1 FOR UPDATE`, [appId]);
      if (!row) throw notFound("App not found");
      const { list, entry, before } = edit(row.list);
      await tx.query(`UPDATE apps SET settings = jsonb_set(settings, '{safelist}', $2::jsonb), updated_at = now() WHERE id = $1`, [appId, JSON.stringify(list)]);
      const shown = { ...entry, numbers: entrySize(entry.pattern) };
      await new AuditLog(this.ds).record(
        { actor, action, targetType: "app", targetId: appId, before: before ? shown : null, after: action === "safelist.add" ? shown : null, ip },
        tx,
      );
      return entry;
    });
  }
}
