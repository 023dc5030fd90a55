import type { StepMessage } from "../workflow/step-view";
import type { DeliveryEventMessage, EventBus, Unsubscribe } from "../events/event-bus";
import type { Row } from "../verification/verification-view";

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());

/** Turns a delivery row (just written, and already logged as a delivery_events row) into a published event. */
export function toEventMessage(d: Row, verificationStatus?: string | null, steps?: StepMessage[]): DeliveryEventMessage {
  const vStatus = verificationStatus ?? d.verification_status ?? null;
  return {
    ...(vStatus ? { verificationStatus: vStatus } : {}),
    ...(steps ? { steps } : {}),
    verificationId: d.verification_id,
    appId: d.app_id,
    delivery: {
      id: d.id,
      channel: d.channel,
      provider: d.provider,
      status: d.status,
      errorCode: d.error_code ?? null,
      errorMessage: d.error_message ?? null,
      createdAt: iso(d.created_at),
      updatedAt: iso(d.updated_at),
    },
  };
}

/** Publishing and subscribing to delivery status changes, in terms of rows. */
export class DeliveryEvents {
  constructor(private readonly bus: EventBus) {}

  /**
   * `verificationStatus` when this change also closed the verification (FAILED: every delivery
   * failed); `steps` when it changed the verification's workflow (workflow/workflow.ts).
   */
  async published(deliveryRow: Row, verificationStatus?: string, steps?: StepMessage[]): Promise<void> {
    await this.bus.publish(toEventMessage(deliveryRow, verificationStatus, steps));
  }

  subscribe(verificationId: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.bus.subscribe(verificationId, handler);
  }

  subscribeAll(handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.bus.subscribeAll(handler);
  }

  /** Every event of one status (the worker's wake-up on QUEUED): see EventBus.subscribeStatus. */
  subscribeStatus(status: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.bus.subscribeStatus(status, handler);
  }

  subscriberCount(verificationId: string): number {
    return this.bus.subscriberCount(verificationId);
  }
}
