import { randomUUID } from "node:crypto";
import { prepared } from "../db/prepared";
import type { DataSource } from "typeorm";
import type { TestDestinations } from "../protection/test-destinations";
import type { AppEntity } from "../apps/app.entity";
import { pickLocale } from "../channels/templates";
import type { SecretKeys } from "../crypto/secret-keys";
import { badInput, forbidden, notFound, rateLimited } from "../errors";
import type { SimSwapGate, SimSwapVerdict } from "../risk/sim-swap-gate";
import { recordLaterCheck } from "../risk/sim-swap-record";
import { recordSimSwapRefusal } from "../risk/sim-swap-refusal";
import type { DeliveryEvents } from "../delivery/delivery-events";
import type { ProviderRegistry } from "../providers/registry";
import { TEST_PROVIDER_NAME } from "../providers/test-destination/test-destination-provider";
import type { BlockStore } from "../protection/block-store";
import type { ClientIpHint } from "../protection/client-ip-hint";
import type { SendPolicy } from "../protection/send-policy";
import { encryptCode, generateCode, hashCode } from "./code";
import { channelFits, maskDestination, parseDestination, parseAnyDestination, type Destination } from "./destination";
import { Channel, VerificationStatus } from "./enums";
import { checkClientIp, checkLocale, checkPurpose, checkTransaction, isUuid } from "./input-rules";
import { VERIFICATION_COLUMNS, queueDeliveryCtes, wakeWorkersColumn } from "./sql";
import { currentTraceparent } from "../observability/trace-context";
import { effectiveStatus, toVerificationView, type Row, type VerificationView } from "./verification-view";
import { checkPlanAllowed, planRows, planSteps, type NextStepParams } from "../workflow/step-plan";
import { singleStep, toStepViews, type StepView } from "../workflow/step-view";

export interface RequestOtpParams {
  destination: string;
  channel: Channel;
  purpose?: string | null;
  locale?: string | null;
  transaction?: { amount: string; payee: string } | null;
  clientIp?: string | null;
  /** Further channels for the same code (workflow/): at most 3. */
  next?: NextStepParams[] | null;
}

/** Appended after `v` in requestOtp when `next` is given: the plan's rows ($22), the first one active with the request's delivery ($16). */
const WORKFLOW_CTE = `
       st AS (
         INSERT INTO verification_steps (id, verification_id, app_id, position, channel, destination, after_seconds, status, starts_at, started_at, started_reason, delivery_id)
         SELECT s.id, v.id, v.app_id, s.position, s.channel, s.destination, s.after_seconds, s.status,
                CASE WHEN s.position = 0 THEN now() END, CASE WHEN s.position = 0 THEN now() END, s.reason, CASE WHEN s.position = 0 THEN $16::uuid END
           FROM v, jsonb_to_recordset($22::jsonb) AS s(id uuid, position int, channel text, destination text, after_seconds int, status text, reason text)
       ),`;

/** Appended after `v` in requestOtp when a SIM-swap check ran: that check, as the first of the verification's checks (risk/sim-swap-record.ts). */
const REQUEST_CHECK_CTE = `
       rc AS (
         INSERT INTO verification_risk_checks (verification_id, app_id, destination, channel, trigger, sim_swap, checked_at)
         SELECT v.id, v.app_id, v.destination, v.channel, 'request', v.sim_swap, v.sim_swap_checked_at FROM v WHERE v.sim_swap IS NOT NULL
       ),`;

/**
 * Appended after `v` in resendOtp when the verification has a workflow: the active step ($11)
 * gets the new delivery ($7) on the resend's channel ($4), and the next step's timer is cleared
 * until that delivery is handed off.
 */
const RESTART_STEP_CTE = `
       st AS (
         UPDATE verification_steps SET delivery_id = $7, channel = $4, updated_at = now()
          WHERE id = $11 AND status = 'ACTIVE' AND verification_id IN (SELECT id FROM v)
          RETURNING verification_id, position
       ),
       nx AS (
         UPDATE verification_steps n SET starts_at = NULL, started_reason = NULL, lease_until = NULL, leased_by = NULL, updated_at = now()
           FROM st WHERE n.verification_id = st.verification_id AND n.position = st.position + 1 AND n.status = 'WAITING'
       ),`;

/** Longest cooldown a growing resend delay reaches. */
const MAX_RESEND_COOLDOWN_SECONDS = 3600;

/**
 * Starting, resending, cancelling and reading verifications. Nothing is sent from here: each
 * mutation commits rows that the delivery worker picks up (a transactional outbox).
 */
export class VerificationService {
  constructor(
    private readonly ds: DataSource,
    private readonly keys: SecretKeys,
    private readonly registry: ProviderRegistry,
    private readonly policy: SendPolicy,
    private readonly blocks: BlockStore,
    private readonly events: DeliveryEvents,
    private readonly wakeWorker: () => void,
    private readonly testDestinations?: TestDestinations,
    /** Wake workers in other processes by pg_notify: only without Redis (see wakeWorkersColumn). */
    private readonly notifyWorkers = true,
    /** Tells the operator, at most hourly per app, that requests come without clientIp. */
    private readonly clientIpHint?: ClientIpHint,
    /** The SIM-swap check before a phone code (risk/sim-swap-gate.ts); without it no check runs. */
    private readonly simSwap?: SimSwapGate,
  ) {}

  /**
   * Per-IP limits count `clientIp` as the calling backend states it (stored on the row); a
   * request without it comes from the app's own backend, shared by all its users: no per-IP
   * limit applies (the destination's, the app's and the pumping budgets still do).
   */
  async request(app: AppEntity, input: RequestOtpParams): Promise<VerificationView> {
    const purpose = checkPurpose(input.purpose);
    // Recorded as the tag the message will be written in (a language we lack falls back to the app's default, then en).
    const locale = pickLocale(checkLocale(input.locale), app.defaultLocale);
    const transaction = checkTransaction(input.transaction);
    const clientIp = checkClientIp(input.clientIp);
    if (!clientIp) this.clientIpHint?.missing(app);
    const dest = parseDestination(input.destination, input.channel);
    const plan = planSteps(input.next, dest);
    if (plan.length) checkPlanAllowed(app, plan, this.registry, (value) => !!this.testDestinations?.find(app.settings, value));
    const test = this.testDestinations?.find(app.settings, dest.value) ?? null;
    const { pumpingScope } = await this.policy.check(app, dest, input.channel, { ip: clientIp, testDestination: !!test });
    // After the limits (each check is a paid call to the operator: the send limits bound them too),
    // before anything is stored for sending. A test destination never reaches a phone: no check.
    const risk = test ? null : ((await this.simSwap?.check(app, dest, input.channel)) ?? null);
    if (risk?.refuse) await this.refuseSimSwap(app, dest, input.channel, risk);

    const id = randomUUID();
    const deliveryId = randomUUID();
    const code = test?.code ?? generateCode(app.codeLength);
    const provider = test ? TEST_PROVIDER_NAME : this.registry.forChannel(input.channel)[0].name;
    const [row] = await prepared(this.ds).query(
      `WITH superseded AS (
         UPDATE verifications SET status = 'CANCELED', code_hash = NULL, code_cipher = NULL, completed_at = now(), updated_at = now()
          WHERE app_id = $2 AND destination = $4 AND status = 'PENDING' AND purpose IS NOT DISTINCT FROM $6
       ),
       v AS (
         INSERT INTO verifications (id, app_id, channel, destination, destination_country, purpose, locale, transaction, client_ip,
                                    code_hash, code_cipher, code_length, max_attempts, expires_at, resend_available_at, pumping_scope,
                                    sim_swap, sim_swap_checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                now() + make_interval(secs => $14), now() + make_interval(secs => $15), $18, $20, $21)
         RETURNING ${VERIFICATION_COLUMNS}
       ),${risk ? REQUEST_CHECK_CTE : ""}${plan.length ? WORKFLOW_CTE : ""}
       ${queueDeliveryCtes("$16::uuid", "$17", "$19", plan.length ? { id: "($22::jsonb->0->>'id')::uuid", destination: "NULL" } : undefined)}
       SELECT (SELECT to_jsonb(v.*) FROM v) AS v, (SELECT to_jsonb(d.*) FROM d) AS d, ${wakeWorkersColumn(this.notifyWorkers)} AS wake`,
      [
        id, app.id, input.channel, dest.value, dest.country, purpose, locale, transaction ? JSON.stringify(transaction) : null, clientIp,
        hashCode(this.keys, id, { purpose, transaction }, code), encryptCode(this.keys, id, code), app.codeLength, app.maxAttempts,
        app.ttlSeconds, app.resendCooldownSeconds, deliveryId, provider, pumpingScope, currentTraceparent(),
        risk?.result ?? null, risk?.checkedAt ?? null,
        ...(plan.length ? [planRows({ channel: input.channel, destination: dest.value }, plan)] : []),
      ],
    );
    this.wakeWorker();
    await this.events.published(row.d);
    return toVerificationView(row.v, [row.d]);
  }

  /** Sends a new code (the old one dies), optionally on another channel; the failed-attempt budget is kept. */
  async resend(app: AppEntity, verificationId: string, channel?: Channel | null): Promise<VerificationView> {
    const current = await this.load(app, verificationId);
    if (effectiveStatus(current) !== VerificationStatus.PENDING) return toVerificationView(current);
    // In a workflow, a resend restarts the current step: on its channel and destination, and its successor's timer starts again at the new hand-off.
    const [step]: Row[] = await this.ds.query(`SELECT id, position, channel, destination FROM verification_steps WHERE verification_id = $1 AND status = 'ACTIVE'`, [current.id]);
    const target = channel ?? step?.channel ?? current.channel;
    const destination: string = step?.destination ?? current.destination;
    const dest = parseAnyDestination(destination);
    if (!channelFits(dest, target)) throw badInput("channel", `${target} can't reach this destination`);
    const waitMs = new Date(current.resend_available_at).getTime() - Date.now();
    if (waitMs > 0) await this.refuseCooldown(app, current, waitMs);
    // Per-IP limits count the end user who asked for the code (clientIp at request), not whoever relays the resend.
    const test = this.testDestinations?.find(app.settings, destination) ?? null;
    await this.policy.check(app, dest, target, { ip: current.client_ip, testDestination: !!test });
    // A fresh check for every resend, as for the request: the SIM may have been swapped since the
    // code before (the takeover asks for a resend once it holds the number), and resends are
    // bounded by the cooldown and the send limits, so checks stay one per paid send.
    const risk = test ? null : ((await this.simSwap?.check(app, dest, target)) ?? null);
    if (risk) {
      await recordLaterCheck(this.ds, { verificationId: current.id, destination, channel: target, trigger: "resend", stepPosition: step?.position ?? null, verdict: risk });
      if (risk.refuse) await this.refuseSimSwap(app, dest, target, risk, current.id);
    }
    // The verification's own channel changes only with its own (first) step's.
    const ownChannel = step && step.position > 0 ? current.channel : target;
    // coalesce($10, $4) below: $10 is never null; naming $4 there gives it a type when no step's CTE uses it
    // (Postgres refuses a statement with an untyped parameter: every plain resend failed with 42P18).

    const code = test?.code ?? generateCode(current.code_length);
    const transaction = current.transaction ?? null;
    const rows = await prepared(this.ds).query(
      `WITH v AS (
         UPDATE verifications SET code_hash = $2, code_cipher = $3, channel = coalesce($10, $4), send_count = send_count + 1,
                expires_at = now() + make_interval(secs => $5),
                resend_available_at = now() + make_interval(secs => LEAST($6 * power(2, send_count), ${MAX_RESEND_COOLDOWN_SECONDS})),
                updated_at = now()
          WHERE id = $1 AND status = 'PENDING' AND expires_at > now() AND resend_available_at <= now()
          RETURNING ${VERIFICATION_COLUMNS}
       ),
       old AS (
         UPDATE deliveries SET status = 'FAILED', error_code = 'SUPERSEDED', error_message = 'Replaced by a resend before it was sent', updated_at = now()
          WHERE verification_id IN (SELECT id FROM v) AND status = 'QUEUED'
          RETURNING *
       ),
       old_events AS (
         INSERT INTO delivery_events (delivery_id, verification_id, status, provider, source, error_code, error_message)
         SELECT id, verification_id, status, provider, 'api', error_code, error_message FROM old
       ),
       ${step ? RESTART_STEP_CTE : ""}
       ${queueDeliveryCtes("$7::uuid", "$8", "$9", step ? { id: "$11::uuid", destination: "nullif($12, v.destination)" } : undefined, "$4::text")}
       SELECT to_jsonb(v.*) AS v, to_jsonb(d.*) AS d, (SELECT coalesce(jsonb_agg(to_jsonb(old.*)), '[]') FROM old) AS old,
              ${wakeWorkersColumn(this.notifyWorkers)} AS wake FROM v, d`,
      [
        current.id, hashCode(this.keys, current.id, { purpose: current.purpose, transaction }, code), encryptCode(this.keys, current.id, code),
        target, app.ttlSeconds, app.resendCooldownSeconds, randomUUID(), test ? TEST_PROVIDER_NAME : this.registry.forChannel(target)[0].name,
        currentTraceparent(), ownChannel, ...(step ? [step.id, destination] : []),
      ],
    );
    if (!rows.length) {
      // Lost a race with another resend, a verify or the expiry: answer with what is true now.
      const now = await this.load(app, verificationId);
      const wait = new Date(now.resend_available_at).getTime() - Date.now();
      if (effectiveStatus(now) === VerificationStatus.PENDING && wait > 0) await this.refuseCooldown(app, now, wait);
      return toVerificationView(now);
    }
    this.wakeWorker();
    for (const old of rows[0].old) await this.events.published(old);
    await this.events.published(rows[0].d);
    return toVerificationView(rows[0].v);
  }

  async cancel(app: AppEntity, verificationId: string): Promise<VerificationView> {
    if (!isUuid(verificationId)) throw notFound();
    const rows = await this.ds.query(
      `WITH c AS (
         UPDATE verifications SET status = 'CANCELED', code_hash = NULL, code_cipher = NULL, completed_at = now(), updated_at = now()
          WHERE id = $1 AND app_id = $2 AND status = 'PENDING' AND expires_at > now()
          RETURNING ${VERIFICATION_COLUMNS}
       ) SELECT * FROM c`,
      [verificationId, app.id],
    );
    return toVerificationView(rows[0] ?? (await this.load(app, verificationId)));
  }

  /** The verification's workflow (workflow/); one step, its own channel, when it was asked without `next`. */
  async steps(v: VerificationView): Promise<StepView[]> {
    const rows = await this.ds.query(`SELECT * FROM verification_steps WHERE verification_id = $1 ORDER BY position`, [v.id]);
    return rows.length ? toStepViews(rows) : [singleStep(v)];
  }

  async get(app: AppEntity, verificationId: string): Promise<VerificationView> {
    return toVerificationView(await this.load(app, verificationId));
  }

  async deliveries(verificationId: string): Promise<Row[]> {
    return this.ds.query(
      `SELECT d.*, v.status AS verification_status FROM deliveries d JOIN verifications v ON v.id = d.verification_id
        WHERE d.verification_id = $1 ORDER BY d.created_at, d.id`,
      [verificationId],
    );
  }

  /** The app's own verification, or NOT_FOUND: another app's is indistinguishable from none. */
  async load(app: AppEntity, verificationId: string): Promise<Row> {
    if (!isUuid(verificationId)) throw notFound();
    const [row] = await this.ds.query(`SELECT ${VERIFICATION_COLUMNS} FROM verifications WHERE id = $1 AND app_id = $2`, [verificationId, app.id]);
    if (!row) throw notFound();
    return row;
  }

  /**
   * A swapped number under `refuse`: FORBIDDEN (reason SIM_SWAP), nothing is stored for sending,
   * and the refusal is on record (risk/sim-swap-refusal.ts). On a resend the verification stays
   * as it was: its earlier code, sent before the swap was seen, still verifies, and its token
   * then says `sim_swap: "swapped"` (the worst result seen).
   */
  private async refuseSimSwap(app: AppEntity, dest: Destination, channel: string, risk: SimSwapVerdict, verificationId?: string): Promise<never> {
    await recordSimSwapRefusal(this.blocks, app.id, dest.value, channel, risk, verificationId);
    throw forbidden("The SIM card of this number changed recently; verify the user another way (e-mail or an authenticator app)", { reason: "SIM_SWAP" });
  }

  private async refuseCooldown(app: AppEntity, v: Row, waitMs: number): Promise<never> {
    await this.blocks.record({
      appId: app.id, rule: "resend_cooldown", key: `${app.id}:${v.destination}`, keyMasked: maskDestination(v.destination),
      hits: v.send_count + 1, limit: v.send_count, blockedUntil: new Date(Date.now() + waitMs),
      details: { verificationId: v.id },
    });
    throw rateLimited(waitMs / 1000, "A new code can't be sent yet");
  }
}
