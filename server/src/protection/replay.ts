import type { DataSource } from "typeorm";
import type { AppSettings } from "../apps/app.entity";
import { maskDestination, parseAnyDestination } from "../verification/destination";
import { effectiveLimits, type LimitsSettings } from "./abuse-settings";
import { PumpMemory } from "./pump-memory";
import type { PumpLevel } from "./pump-step";
import { approvalLevels, pumpStep } from "./pumping-guard";
import { isSafelisted } from "./safelist";

/** What `otp-gateway protection replay` reports for one app. */
export interface AppReplay {
  appId: string;
  appName: string;
  /** Phone requests replayed (test destinations and the safe list are not judged, as live). */
  requests: number;
  /** Users who verified in the recording but whom these settings would have refused. */
  refusedVerifiedUsers: { count: number; sample: string[] };
  /** Sends (resends included) to never-verified requests: paid under these settings, and as recorded. */
  unverifiedSendsPaid: { replayed: number; recorded: number };
  /** Refusals per rule (pumping_prefix, pumping_country…). */
  refusalsByRule: Record<string, number>;
}

export interface ReplayOptions {
  since: Date;
  appId?: string;
  /** A candidate for the apps' `settings.limits` (replacing their overrides); absent: each app's own. */
  limits?: LimitsSettings;
  pageSize?: number;
}

interface Row { created_at: Date; cursor: string; id: string; destination: string; destination_country: string | null; status: string; completed_at: Date | null; send_count: number }
interface Approval { at: number; levels: Array<{ level: PumpLevel; value: string }>; country: string | null; firstSendMinute: number }

const SAMPLE = 10;

/**
 * Re-runs an app's recorded phone requests through the pumping guard's algorithm in memory
 * (PumpMemory, the same buckets as the Redis script) on their own timestamps: each request is
 * judged at its created_at, each approval replayed at its completed_at, in time order. Rows are
 * read in pages so a week of a large app does not sit in memory; what is kept is the guard's
 * buckets and the approvals not yet due.
 *
 * What it shows is what the pumping rules would have refused, as if enforced (record_only is
 * judged as enforce: the question is what enforcing would do). A refused request is not
 * counted, as live; a user it refused in the recording never appears (no row was stored), so
 * the replay of tighter settings than the recorded ones is exact, of looser ones a lower bound.
 * Resends are judged as part of their request (their times are not recorded).
 */
export async function replayApp(ds: DataSource, app: { id: string; name: string; ttl_seconds: number; settings: AppSettings | null }, o: ReplayOptions): Promise<AppReplay> {
  const settings = app.settings ?? {};
  const pumping = effectiveLimits(o.limits !== undefined ? { limits: o.limits } : settings).pumping;
  const memory = new PumpMemory();
  const tests = new Set((settings.testDestinations ?? []).map((t) => normalized(t.destination)));
  const out: AppReplay = { appId: app.id, appName: app.name, requests: 0, refusedVerifiedUsers: { count: 0, sample: [] }, unverifiedSendsPaid: { replayed: 0, recorded: 0 }, refusalsByRule: {} };
  // Approvals not yet due, kept sorted by time (few: most users verify within a minute or two).
  const pending: Approval[] = [];
  const approveUntil = (t: number) => {
    while (pending.length && pending[0].at <= t) {
      const a = pending.shift()!;
      memory.approve(app.id, a.levels, a.country, a.firstSendMinute, 1, a.at);
    }
  };
  const pageSize = o.pageSize ?? 5000;
  // The cursor is created_at as text: microseconds that a JS Date would round away.
  let after: { at: string; id: string } | null = null;
  for (;;) {
    const rows: Row[] = await ds.query(
      `SELECT id, created_at, created_at::text AS cursor, destination, destination_country, status, completed_at, send_count
         FROM verifications
        WHERE app_id = $1 AND channel <> 'EMAIL' AND created_at >= $2 AND ($3::timestamptz IS NULL OR (created_at, id) > ($3, $4::uuid))
        ORDER BY created_at, id LIMIT $5`,
      [app.id, o.since, after?.at ?? null, after?.id ?? null, pageSize],
    );
    for (const r of rows) {
      const now = new Date(r.created_at).getTime();
      approveUntil(now);
      if (tests.has(r.destination) || isSafelisted(settings.safelist, r.destination)) continue;
      out.requests++;
      const verified = r.status === "APPROVED";
      if (!verified) out.unverifiedSendsPaid.recorded += r.send_count;
      const step = pumpStep({ id: app.id, ttlSeconds: app.ttl_seconds }, { kind: "phone", value: r.destination, country: r.destination_country }, pumping, now, async () => undefined);
      if (step) step.enforce = true;
      const verdict = step ? memory.judge(step) : null;
      if (verdict?.refused) {
        const rule = `pumping_${verdict.figures.level}`;
        out.refusalsByRule[rule] = (out.refusalsByRule[rule] ?? 0) + 1;
        if (verified) {
          out.refusedVerifiedUsers.count++;
          if (out.refusedVerifiedUsers.sample.length < SAMPLE) out.refusedVerifiedUsers.sample.push(maskDestination(r.destination));
        }
        continue;
      }
      if (!verified) out.unverifiedSendsPaid.replayed += r.send_count;
      else if (verdict?.scope && r.completed_at) {
        // The live approval moves the verification's sends; only the first was judged here, so it moves one.
        insertSorted(pending, {
          at: new Date(r.completed_at).getTime(), levels: approvalLevels(verdict.scope, r.destination, r.destination_country),
          country: r.destination_country, firstSendMinute: Math.floor(now / 60_000),
        });
      }
    }
    if (rows.length < pageSize) break;
    const last = rows[rows.length - 1];
    after = { at: last.cursor, id: last.id };
  }
  return out;
}

/** Every app (or one) replayed from `since`. */
export async function replay(ds: DataSource, o: ReplayOptions): Promise<AppReplay[]> {
  const apps = await ds.query(`SELECT id, name, ttl_seconds, settings FROM apps WHERE ($1::uuid IS NULL OR id = $1::uuid) ORDER BY lower(name), id`, [o.appId ?? null]);
  const out: AppReplay[] = [];
  for (const app of apps) out.push(await replayApp(ds, app, o));
  return out;
}

function insertSorted(queue: Approval[], a: Approval): void {
  let i = queue.length;
  while (i > 0 && queue[i - 1].at > a.at) i--;
  queue.splice(i, 0, a);
}

function normalized(raw: string): string {
  try {
    return parseAnyDestination(raw).value;
  } catch {
    return raw;
  }
}
