import type { DataSource } from "typeorm";
import type { AppEntity } from "../apps/app.entity";
import { decodeCursor } from "./attempt-cursor";
import { checkFirst, checkRange, parseAttemptFilter, type AttemptFilterInput } from "./attempt-filter";
import { listAttempts, type AttemptPageView } from "./attempts-query";
import { summarizeBounded, type SummaryKey, type SummaryRowView } from "./summary-query";

/** The client API's reporting: an app's own attempts and summaries, from the retention window only. */
export class AttemptService {
  constructor(
    private readonly ds: DataSource,
    /** RETENTION_DAYS: older rows are about to be deleted and are never shown. */
    private readonly retentionDays: number,
  ) {}

  /** Every argument is checked before the query runs: a bad one is BAD_USER_INPUT and reads nothing. */
  attempts(app: AppEntity, filter: AttemptFilterInput | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<AttemptPageView> {
    const query = {
      appId: app.id,
      filter: parseAttemptFilter(filter),
      first: checkFirst(first),
      after: after != null ? decodeCursor(after) : null,
      retentionDays: this.retentionDays,
    };
    return listAttempts(this.ds, query);
  }

  summary(app: AppEntity, from: Date, to: Date, groupBy: readonly SummaryKey[] | null | undefined): Promise<SummaryRowView[]> {
    checkRange(from, to, "from");
    return summarizeBounded(this.ds, { appId: app.id, from, to, groupBy: groupBy ?? [], retentionDays: this.retentionDays });
  }
}
