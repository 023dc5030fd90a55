import type { DataSource } from "typeorm";
import { prepared } from "../db/prepared";
import type { AppEntity } from "../apps/app.entity";
import type { SecretKeys } from "../crypto/secret-keys";
import { badInput, notFound } from "../errors";
import type { PumpingGuard } from "../protection/pumping-guard";
import type { VerifyPolicy } from "../protection/verify-policy";
import type { TokenSigner } from "../tokens/token-signer";
import { CODE_PATTERN, hashCode } from "./code";
import { parseAnyDestination } from "./destination";
import { VerificationStatus } from "./enums";
import { checkClientIp, isUuid } from "./input-rules";
import type { Row } from "./verification-view";
import { tokenClaims } from "./token-claims";

export interface VerifyOtpParams { verificationId?: string | null; destination?: string | null; code: string; clientIp?: string | null }
export interface VerifyResult { status: VerificationStatus; attemptsRemaining: number; token: string | null }

/** What a code is aimed at: a verification's row, or nothing (id null) — for a destination, still the destination. */
type Target = Row & { id: string | null; destination: string | null };

/**
 * The attempt ($1 the verification, $2 the code's hash, $3 the client IP): spends one attempt of
 * a live verification, approving it when the hash matches. Shared by `attempt` and `firstTryById`.
 */
const ATTEMPT_UPDATE = `
         UPDATE verifications SET
           failed_attempts = failed_attempts + CASE WHEN code_hash = $2 THEN 0 ELSE 1 END,
           status = CASE WHEN code_hash = $2 THEN 'APPROVED'
                         WHEN failed_attempts + 1 >= max_attempts THEN 'MAX_ATTEMPTS_REACHED' ELSE 'PENDING' END,
           code_hash = CASE WHEN code_hash = $2 OR failed_attempts + 1 >= max_attempts THEN NULL ELSE code_hash END,
           code_cipher = CASE WHEN code_hash = $2 OR failed_attempts + 1 >= max_attempts THEN NULL ELSE code_cipher END,
           completed_at = CASE WHEN code_hash = $2 OR failed_attempts + 1 >= max_attempts THEN now() END,
           updated_at = now()
         WHERE id = $1 AND status = 'PENDING' AND expires_at > now() AND failed_attempts < max_attempts`;
const ATTEMPT_RETURNING = `id, app_id, status, failed_attempts, max_attempts, channel, destination, purpose, transaction,
                   destination_country, pumping_scope, created_at, send_count, sim_swap,
                   CASE WHEN status = 'APPROVED' THEN (
                     SELECT json_agg(json_build_object('channel', s.channel, 'own', s.destination = verifications.destination) ORDER BY s.position)
                       FROM verification_steps s WHERE s.verification_id = verifications.id AND s.delivery_id IS NOT NULL
                   ) END AS sent_steps`;
/** The attempt's row in verify_attempts, from the UPDATE's answer `u`. */
const ATTEMPT_INSERT = `
         INSERT INTO verify_attempts (verification_id, app_id, client_ip, outcome)
         SELECT id, app_id, $3, CASE WHEN status = 'APPROVED' THEN 'APPROVED' ELSE 'WRONG_CODE' END FROM u`;

/** Matches no verification (ids are random v4): the statement a code aimed at nothing runs instead. */
const DECOY_ID = "00000000-0000-4000-8000-000000000000";

/**
 * Checks a code. Checking and spending an attempt is one UPDATE guarded by
 * `status = 'PENDING' AND failed_attempts < max_attempts`: concurrent right codes approve
 * exactly once (the others find it consumed), concurrent wrong codes spend exactly the budget.
 * The longer-lived failure budgets (per destination across verifications, per IP) are checked
 * before that statement and charged after it (VerifyPolicy), never inside it.
 */
export class VerifyService {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: SecretKeys,
    private readonly tokens: TokenSigner,
    private readonly policy?: VerifyPolicy,
    /** An approval moves the verification's sends from unverified to verified in the pumping budgets. */
    private readonly pumping?: PumpingGuard,
  ) {}

  /**
   * Per-IP budgets key on `clientIp` as the calling backend states it; without it (server to
   * server) none applies: the socket's address is the app's own backend, shared by all its users.
   */
  async verify(app: AppEntity, input: VerifyOtpParams): Promise<VerifyResult> {
    if (!CODE_PATTERN.test(input.code)) throw badInput("code", "code must be 4 to 10 digits");
    const ip = checkClientIp(input.clientIp);
    let target: Target;
    if (input.verificationId) {
      const first = await this.firstTryById(app, input.verificationId, input.code, ip);
      if (first.row) return this.answer(app, ip, first.row);
      if (first.closed) return this.answerClosed(app, input.verificationId, ip);
      target = first.target!;
    } else target = await this.targetByDestination(app, input, ip);
    if (!target.id) {
      // Nothing to verify: the same hash and statement a live code costs (writing its attempt
      // row, as a wrong code does, so the commit costs the same too), then NOT_FOUND. The probe
      // is charged to the caller's IP alone: a number's budgets are spent only by codes aimed at
      // its live verifications, so nobody can lock a number out before its owner has a code.
      await this.attempt(DECOY_ID, hashCode(this.keys, DECOY_ID, { purpose: null, transaction: null }, input.code), ip, app.id);
      await this.policy?.failed(app, ip, null);
      throw notFound();
    }
    const hash = hashCode(this.keys, target.id, { purpose: target.purpose, transaction: target.transaction }, input.code);
    const row = await this.attempt(target.id, hash, ip);
    if (row) return this.answer(app, ip, row);
    return this.answerClosed(app, target.id, ip);
  }

  /** An attempt was spent (the statement's row): charge or clear the budgets, and sign the token when approved. */
  private async answer(app: AppEntity, ip: string | null, row: Row): Promise<VerifyResult> {
    const attemptsRemaining = row.max_attempts - row.failed_attempts;
    if (row.status !== VerificationStatus.APPROVED) {
      await this.policy?.failed(app, ip, row.destination);
      return { status: row.status, attemptsRemaining, token: null };
    }
    await Promise.all([
      this.policy?.approved(app, ip, row.destination),
      this.pumping?.approved({
        appId: app.id, destination: row.destination, destinationCountry: row.destination_country, pumpingScope: row.pumping_scope,
        createdAt: row.created_at, sendCount: row.send_count,
      }),
    ]);
    return { status: VerificationStatus.APPROVED, attemptsRemaining, token: await this.issueToken(app, row) };
  }

  /**
   * By id. A live verification (pending, unexpired) is checked against nothing but its own
   * attempt count: its owner's right code is never refused by anyone else's failures, and a
   * guesser gets the verification's few attempts (new codes are gated at the send by the
   * destination's failure budgets, SendPolicy). An unknown or closed id costs the IP budget alone.
   *
   * In one statement when it can be: the lookup and the attempt together, the attempt
   * guarded by `purpose IS NULL AND transaction IS NULL` because the code's hash binds both and
   * is computed before the row is read (for the common code with neither). The app is checked
   * through `t` (EXISTS), not by `app_id` in the UPDATE's own WHERE: given that, the planner
   * (statistics lagging a fast-growing table) chose the pending-by-destination index on app_id
   * and scanned every pending row of the app — 356 ms per verify under the bench's load, against
   * 18 + 20 ms for the two statements before. The answer is one of:
   * - `row`: the attempt was spent (what `attempt` returns);
   * - `closed`: the verification exists but no attempt can be spent (expired, consumed, closed,
   *   or a race lost): answered by `answerClosed`, after the IP budget's check for one not live,
   *   as before (the statement changed nothing: its UPDATE needs a live row);
   * - `target`: nothing spent yet: an unknown id (target.id null), or a live code bound to a
   *   purpose or transaction, hashed and tried by the caller with `attempt` as before.
   * One round trip instead of two for a live code without purpose or transaction; one more
   * statement (this one) before the decoy for an unknown id.
   */
  private async firstTryById(app: AppEntity, id: string, code: string, ip: string | null): Promise<{ row?: Row; closed?: boolean; target?: Target }> {
    if (!isUuid(id)) {
      await this.policy?.check(app, ip, null);
      return { target: { id: null, destination: null } };
    }
    const hash = hashCode(this.keys, id, { purpose: null, transaction: null }, code);
    const [r]: Array<Row & { t_live: boolean; t_purpose: string | null; t_transaction: unknown; spent: boolean }> = await prepared(this.ds).query(
      `WITH t AS (
         SELECT destination, purpose, transaction, (status = 'PENDING' AND expires_at > now()) AS live FROM verifications WHERE id = $1 AND app_id = $4
       ),
       u AS (${ATTEMPT_UPDATE} AND purpose IS NULL AND transaction IS NULL AND EXISTS (SELECT 1 FROM t)
         RETURNING ${ATTEMPT_RETURNING}
       ),
       a AS (${ATTEMPT_INSERT})
       SELECT t.live AS t_live, t.purpose AS t_purpose, t.transaction AS t_transaction, t.destination AS t_destination, u.id IS NOT NULL AS spent, u.*
         FROM t LEFT JOIN u ON true`,
      [id, hash, ip, app.id],
    );
    if (!r) {
      await this.policy?.check(app, ip, null);
      return { target: { id: null, destination: null } };
    }
    if (r.spent) return { row: r };
    if (r.t_live && (r.t_purpose !== null || r.t_transaction !== null)) {
      return { target: { id, destination: r.t_destination, purpose: r.t_purpose, transaction: r.t_transaction } as Target };
    }
    if (!r.t_live) await this.policy?.check(app, ip, null);
    return { closed: true };
  }

  /**
   * By destination: the IP's and the destination's budgets are checked before the lookup (a
   * number whose budgets wrong codes at its live verifications have spent is refused). Only a
   * live code counts (pending and unexpired): an expired one answers NOT_FOUND like none at
   * all, not EXPIRED, which would say a code had been sent.
   */
  private async targetByDestination(app: AppEntity, input: VerifyOtpParams, ip: string | null): Promise<Target> {
    if (!input.destination) throw badInput("verificationId", "Give verificationId or destination");
    const dest = parseAnyDestination(input.destination);
    await this.policy?.check(app, ip, dest.value);
    const rows: Row[] = await prepared(this.ds).query(
      `SELECT id, destination, purpose, transaction FROM verifications
        WHERE app_id = $1 AND destination = $2 AND status = 'PENDING' AND expires_at > now()
        ORDER BY created_at DESC LIMIT 1`,
      [app.id, dest.value],
    );
    return (rows[0] as Target | undefined) ?? { id: null, destination: dest.value };
  }

  /**
   * The one atomic statement that checks a code and spends an attempt (see the class comment).
   * With `missFor` (a code aimed at nothing, `id` the decoy) it records a NOT_FOUND attempt of
   * that app instead, with no verification.
   */
  private async attempt(id: string, hash: Buffer, ip: string | null, missFor?: string): Promise<Row | undefined> {
    const [row] = await prepared(this.ds).query(
      `WITH u AS (${ATTEMPT_UPDATE}
         RETURNING ${ATTEMPT_RETURNING}
       ),
       a AS (${missFor ? `INSERT INTO verify_attempts (verification_id, app_id, client_ip, outcome) SELECT NULL::uuid, $4::uuid, $3, 'NOT_FOUND'` : ATTEMPT_INSERT})
       SELECT * FROM u`,
      missFor ? [id, hash, ip, missFor] : [id, hash, ip],
    );
    return row;
  }

  /** No attempt was spent: the verification is expired, consumed or closed. Say which, and log the try. */
  private async answerClosed(app: AppEntity, id: string, ip: string | null): Promise<VerifyResult> {
    const [row] = await this.ds.query(
      `WITH expired AS (
         UPDATE verifications SET status = 'EXPIRED', code_hash = NULL, code_cipher = NULL, completed_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'PENDING' AND expires_at <= now()
          RETURNING id, status, failed_attempts, max_attempts
       )
       SELECT id, status, failed_attempts, max_attempts FROM expired
       UNION ALL
       SELECT id, status, failed_attempts, max_attempts FROM verifications WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM expired)`,
      [id],
    );
    const status: VerificationStatus = row.status;
    const outcome = status === VerificationStatus.APPROVED ? "CONSUMED" : status;
    await this.ds.query(`INSERT INTO verify_attempts (verification_id, app_id, client_ip, outcome) VALUES ($1, $2, $3, $4)`, [id, app.id, ip, outcome]);
    // A try at a closed verification is a failed probe like any other: the caller's IP budget
    // pays, so replays cannot grow verify_attempts (or load the database) for free.
    await this.policy?.failed(app, ip, null);
    // Approved means consumed: the contract answers a replay as if the verification never existed.
    if (status === VerificationStatus.APPROVED) throw notFound();
    return { status, attemptsRemaining: Math.max(0, row.max_attempts - row.failed_attempts), token: null };
  }

  private issueToken(app: AppEntity, v: Row): Promise<string> {
    return this.tokens.sign(tokenClaims(v, v.sent_steps), app.id, v.id);
  }

}
