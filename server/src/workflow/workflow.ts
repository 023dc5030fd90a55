import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import { appFromRow } from "../apps/app-service";
import { GatewayError } from "../errors";
import type { DeliveryEvents } from "../delivery/delivery-events";
import { settleAfterFailure } from "../delivery/verification-failure";
import type { SendPolicy } from "../protection/send-policy";
import type { TestDestinations } from "../protection/test-destinations";
import type { ProviderRegistry } from "../providers/registry";
import { TEST_PROVIDER_NAME } from "../providers/test-destination/test-destination-provider";
import { maskDestination, parseAnyDestination } from "../verification/destination";
import type { Channel } from "../verification/enums";
import { wakeWorkersColumn } from "../verification/sql";
import type { Row } from "../verification/verification-view";
import type { BlockStore } from "../protection/block-store";
import type { SimSwapGate, SimSwapVerdict } from "../risk/sim-swap-gate";
import { latestCheck, recordLaterCheck } from "../risk/sim-swap-record";
import { recordSimSwapRefusal } from "../risk/sim-swap-refusal";
import type { StepStore } from "./step-store";
import { toStepMessages, toStepViews } from "./step-view";

export interface WorkflowOptions {
  workerId: string;
  leaseSeconds: number;
  /** Wake workers in other processes by pg_notify: only without Redis (see wakeWorkersColumn). */
  notifyWorkers: boolean;
  /** Wakes this process's delivery worker (a step's delivery is queued). */
  wakeWorker: () => void;
}

/** Due steps claimed per round. */
const CLAIM_BATCH = 20;

/**
 * Moves verifications' workflows along (contract "Ordered channels in one verification"):
 * a step starts afterSeconds after the step before was handed off, or at once when that one's
 * delivery failed for good. Each start is a send of its own: it passes the send limits and the
 * pumping rules (SendPolicy) like a request; a refused step is SKIPPED with the reason and the
 * workflow stops there (the steps after it are SKIPPED too: a scope the limits just refused
 * should not be tried on yet another paid channel), while the code already sent stays good.
 * Never a setTimeout: the timers are rows (StepStore), polled by the delivery worker.
 */
export class Workflow {
  private ticking?: Promise<void>;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly store: StepStore,
    private readonly registry: ProviderRegistry,
    private readonly policy: SendPolicy,
    private readonly events: DeliveryEvents,
    private readonly log: Logger,
    private readonly options: WorkflowOptions,
    private readonly testDestinations?: TestDestinations,
    /** The SIM-swap check of a step to a number this verification has not had checked (risk/sim-swap-gate.ts). */
    private readonly simSwap?: { gate: SimSwapGate; blocks: BlockStore },
  ) {}

  /** A step's delivery was handed off: the next step's timer starts. Cheap no-op for deliveries of no workflow. */
  async handedOff(delivery: Row): Promise<void> {
    if (!delivery.step_id) return;
    await this.store.scheduleAfterHandOff(delivery.id);
  }

  /** A step's delivery failed for good: the next step starts now. False when no step follows (the caller settles the verification). */
  async failed(delivery: Row): Promise<boolean> {
    if (!delivery.step_id) return false;
    const next = await this.store.scheduleAfterFailure(delivery.id);
    if (!next) return false;
    this.tick();
    return true;
  }

  /** Starts every due step (the worker's poll calls this; so does a failure). Rounds never overlap. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        const claimed = await this.store.claimDue(CLAIM_BATCH, this.options.leaseSeconds, this.options.workerId);
        for (const c of claimed) {
          try {
            await this.startClaimed(c);
          } catch (err) {
            // The claim lapses and another round tries again.
            this.log.error({ err: (err as Error).message, verificationId: c.step.verification_id }, "starting a workflow step failed");
          }
        }
        if (claimed.length === CLAIM_BATCH) this.again = true;
      } while (this.again && !this.stopped);
    })()
      .catch((err) => this.log.error({ err: (err as Error).message }, "claiming workflow steps failed; will retry on the next poll"))
      .finally(() => { this.ticking = undefined; });
    return this.ticking;
  }

  /** No more rounds; waits for the one running (its claims would otherwise lapse only with their lease). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.ticking;
  }

  /** The safety net, with the worker's sweep: timers whose scheduling was lost to a crash. */
  async sweep(): Promise<void> {
    if (await this.store.scheduleMissed()) this.tick();
  }

  private async startClaimed(c: Row): Promise<void> {
    const step: Row = c.step;
    const { workerId } = this.options;
    if (c.v_status !== "PENDING" || new Date(c.expires_at).getTime() <= Date.now()) {
      // The close (or the expiry sweep's) skips it; until then nobody claims it again for a while.
      return this.store.release(step.id, workerId);
    }
    const app = appFromRow(c.app);
    const test = this.testDestinations?.find(app.settings, step.destination) ?? null;
    const dest = parseAnyDestination(step.destination);
    try {
      await this.policy.check(app, dest, step.channel as Channel, { ip: c.client_ip, testDestination: !!test });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      return this.refused(step, err);
    }
    // After the limits, like a request's: a number this verification has had checked (its own,
    // or an earlier step's) is not checked again; another number, or the first phone step after
    // an e-mail, is.
    let risk: SimSwapVerdict | null = null;
    if (!test && this.simSwap?.gate.applies(app, dest, step.channel as Channel)) {
      const before = await latestCheck(this.ds, step.verification_id, step.destination);
      if (before?.refused) return this.refusedSimSwap(step, null);
      if (!before) risk = await this.simSwap.gate.check(app, dest, step.channel as Channel);
      if (risk?.refuse) return this.refusedSimSwap(step, risk);
    }
    const provider = test ? TEST_PROVIDER_NAME : this.registry.forChannel(step.channel as Channel)[0].name;
    const started = await this.ds.transaction(async (m) => {
      const s = await this.store.start(m, step.id, workerId, randomUUID(), provider, wakeWorkersColumn(this.options.notifyWorkers));
      if (!s) return null;
      const now = risk && (await recordLaterCheck(m, { verificationId: step.verification_id, destination: step.destination, channel: step.channel, trigger: "step", stepPosition: step.position, verdict: risk }));
      const steps = await m.query(`SELECT * FROM verification_steps WHERE verification_id = $1 ORDER BY position`, [step.verification_id]);
      const view = toStepViews(steps)[s.step.position];
      // The client's event, in the same transaction as the change (delivered at least once by the webhook worker);
      // with `risk` (the verification's, the worst seen) when this step was checked.
      await m.query(`SELECT otpg_enqueue_webhook_event($1, 'verification.step_started', $2::text, $2::uuid, $3::jsonb)`, [
        step.app_id, step.verification_id,
        JSON.stringify({
          verificationId: step.verification_id, position: s.step.position, step: view, deliveryId: s.delivery.id,
          ...(now?.sim_swap && { risk: { simSwap: now.sim_swap, checkedAt: now.sim_swap_checked_at ? new Date(now.sim_swap_checked_at).toISOString() : null } }),
        }),
      ]);
      return { ...s, steps };
    });
    if (!started) return this.store.release(step.id, workerId);
    this.log.info(
      { verificationId: step.verification_id, position: step.position, channel: step.channel, to: maskDestination(step.destination), reason: step.started_reason },
      "workflow step started",
    );
    this.options.wakeWorker();
    await this.events.published(started.delivery, undefined, toStepMessages(started.steps));
  }

  /**
   * A step to a swapped number under `refuse` (`risk`; null when this verification's check of the
   * number already refused it): SKIPPED with the reason, the refusal on record
   * (its check on the verification's timeline, a `sim_swap` block). Unlike a refusal by the send
   * limits the workflow moves on at once: the next step may well be the other way to reach the
   * person that a swapped number calls for (an e-mail), and a phone step after it is checked in
   * its turn. Without a next step the verification stays on the codes already sent — FAILED only
   * if all of them failed.
   */
  private async refusedSimSwap(step: Row, risk: SimSwapVerdict | null): Promise<void> {
    const { blocks } = this.simSwap!;
    const reason = "refused by the SIM-swap check (SIM_SWAP): the SIM card of this number changed recently";
    const next = await this.ds.transaction(async (m) => {
      const r = await this.store.skipForRisk(m, step.id, this.options.workerId, reason);
      if (!r) return null;
      if (risk) await recordLaterCheck(m, { verificationId: step.verification_id, destination: step.destination, channel: step.channel, trigger: "step", stepPosition: step.position, verdict: risk });
      return r;
    });
    if (!next) return;
    // `risk` null: this number's refusal in the same verification, reused (no new check, no new block).
    if (risk) await recordSimSwapRefusal(blocks, step.app_id, step.destination, step.channel, risk, step.verification_id);
    this.log.warn({ verificationId: step.verification_id, position: step.position, channel: step.channel, to: maskDestination(step.destination) }, "workflow step refused by the SIM-swap check; the workflow moves on");
    if (next.nextStepId) {
      this.again = true;
      return;
    }
    await this.afterSkip(step);
  }

  private async refused(step: Row, err: GatewayError): Promise<void> {
    const retry = err.extensions.retryAfter ? `, retry after ${err.extensions.retryAfter} s` : "";
    const reason = `refused by the send limits (${err.code}${retry}): ${err.message}`;
    if (!(await this.store.refuse(step.id, this.options.workerId, reason))) return;
    this.log.warn({ verificationId: step.verification_id, position: step.position, channel: step.channel, refusal: err.code }, "workflow step refused by the send limits; the workflow stops");
    await this.afterSkip(step);
  }

  /** No step follows a skipped one: the verification fails if every delivery it had failed; the clients hear the plan either way. */
  private async afterSkip(step: Row): Promise<void> {
    // With the step before failed for good, nothing can reach the person any more.
    const closed = await settleAfterFailure(this.ds, step.verification_id);
    const [last] = await this.ds.query(
      `SELECT d.*, v.status AS verification_status FROM deliveries d JOIN verifications v ON v.id = d.verification_id
        WHERE d.verification_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT 1`,
      [step.verification_id],
    );
    if (last) await this.events.published(last, closed ? "FAILED" : undefined, toStepMessages(await this.store.forVerification(step.verification_id)));
  }
}
