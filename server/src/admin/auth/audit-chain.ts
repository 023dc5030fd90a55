import type { DataSource } from "typeorm";

/** Rows read per query: memory stays bounded however long the log grows. */
const BATCH = 5000;

export type ChainProblem = "changed" | "out_of_place" | "tail_removed" | "anchor_mismatch";

/** A row and hash an earlier run printed as the head, kept outside the database. */
export interface ChainAnchor { id: string; hash: string }

/** `--anchor 45:9f2c…` as `audit verify` takes it; undefined when malformed. */
export function parseAnchor(text: string): ChainAnchor | undefined {
  const m = /^(\d{1,18}):([0-9a-f]{64})$/i.exec(text.trim());
  return m ? { id: String(BigInt(m[1])), hash: m[2].toLowerCase() } : undefined;
}

export type ChainReport =
  | { intact: true; rows: number; head: { id: string; hash: string } | null }
  | { intact: false; rows: number; rowId: string | null; problem: ChainProblem; message: string };

/**
 * Walks the staff audit log's hash chain (migration AuditLogHashChain) in id order, which the
 * insert trigger makes chain order. For each row: its `row_hash` must be the hash of its
 * `prev_hash` and its content (else the row was changed), and its `prev_hash` the `row_hash` of
 * the row before it (else rows were removed or reordered there, or the row before was rewritten
 * together with its hash). At the end the last row must be the chain head (else the newest rows
 * were removed). Reports the first break, by row id.
 *
 * A chain rewritten from some row on, every later hash recomputed, is consistent again; only a
 * head recorded elsewhere before (`anchor`) shows it: that row must still carry that hash.
 */
export async function verifyAuditChain(ds: DataSource, anchor?: ChainAnchor): Promise<ChainReport> {
  let anchorSeen = false;
  let rows = 0;
  let prev: { id: string; hash: Buffer } | null = null;
  for (;;) {
    const batch: Array<{ id: string; prev_hash: Buffer | null; row_hash: Buffer | null; content_hash: Buffer }> = await ds.query(
      `SELECT id::text, prev_hash, row_hash, audit_log_digest(prev_hash, a) AS content_hash FROM audit_log a
        WHERE a.id > $1 ORDER BY a.id LIMIT ${BATCH}`, // a.id: the bigint, not the text of the same name
      [prev?.id ?? "-1"],
    );
    for (const r of batch) {
      if (!r.row_hash || !r.row_hash.equals(r.content_hash)) {
        return broken(rows, r.id, "changed", `row ${r.id} was changed after it was written (its hash no longer matches its content)`);
      }
      const linked = prev ? r.prev_hash?.equals(prev.hash) : r.prev_hash === null;
      if (!linked) {
        return broken(rows, r.id, "out_of_place", prev
          ? `row ${r.id} does not follow row ${prev.id}: rows between them were removed, rows were reordered, or row ${prev.id} was rewritten with a new hash`
          : `row ${r.id} is not the start of the chain: the rows before it were removed, or rows were reordered`);
      }
      if (anchor && r.id === anchor.id) {
        if (r.row_hash.toString("hex") !== anchor.hash) {
          return broken(rows, r.id, "anchor_mismatch", `row ${r.id} no longer carries the hash recorded for it: the chain was rewritten from this row or before`);
        }
        anchorSeen = true;
      }
      rows++;
      prev = { id: r.id, hash: r.row_hash };
    }
    if (batch.length < BATCH) break;
  }
  const [head]: Array<{ last_id: string | null; last_hash: Buffer | null }> = await ds.query(`SELECT last_id::text, last_hash FROM audit_log_chain WHERE id = 1`);
  const headId = head?.last_id ?? null;
  if (headId !== (prev?.id ?? null)) {
    const message = !headId
      ? `the chain head names no row, but the log ends at row ${prev!.id}: the chain head was reset`
      : prev
        ? `the log ends at row ${prev.id}, but the chain head is row ${headId}: the rows after ${prev.id} were removed`
        : `the log is empty, but the chain head is row ${headId}: every row was removed`;
    return broken(rows, prev?.id ?? null, "tail_removed", message);
  }
  if (prev && !head.last_hash?.equals(prev.hash)) {
    return broken(rows, prev.id, "changed", `row ${prev.id} was rewritten together with its hash (the chain head holds another)`);
  }
  if (anchor && !anchorSeen) {
    return broken(rows, anchor.id, "anchor_mismatch", `row ${anchor.id}, recorded as a head before, is not in the log: the chain was rewritten or cut`);
  }
  return { intact: true, rows, head: prev ? { id: prev.id, hash: prev.hash.toString("hex") } : null };
}

function broken(rows: number, rowId: string | null, problem: ChainProblem, message: string): ChainReport {
  return { intact: false, rows, rowId, problem, message };
}
