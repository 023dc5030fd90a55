import type { StepMessage } from "../workflow/step-view";
import { EventEmitter } from "node:events";

/** A delivery status change as it travels between processes: JSON, dates as ISO strings. */
export interface DeliveryEventMessage {
  verificationId: string;
  /** The verification's status, when known with this event: in a subscription's first snapshot, and on the event that made it FAILED. */
  verificationStatus?: string;
  appId: string;
  delivery: {
    id: string;
    channel: string;
    provider: string;
    status: string;
    errorCode: string | null;
    errorMessage: string | null;
    createdAt: string;
    updatedAt: string;
  };
  /** The verification's workflow steps, on the events that changed them (a step started, or was refused). */
  steps?: StepMessage[];
}

export type Unsubscribe = () => void;

/**
 * Fans delivery events out to subscribers by verification id. One process: an EventEmitter.
 * Several: RedisEventBus publishes on one Redis channel and every process re-emits locally.
 */
export interface EventBus {
  publish(event: DeliveryEventMessage): Promise<void>;
  subscribe(verificationId: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe;
  /** Every event, for process-wide listeners (the admin live log, metrics). */
  subscribeAll(handler: (e: DeliveryEventMessage) => void): Unsubscribe;
  /** Handlers listening to one verification in this process (operations, and tests of cleanup). */
  subscriberCount(verificationId: string): number;
  close(): Promise<void>;
}

/**
 * The local half every bus shares: handlers keyed by verification id (and "*" for all),
 * fed by whatever carries events to this process.
 */
export abstract class FanoutBus implements EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private listeners = 0;

  abstract publish(event: DeliveryEventMessage): Promise<void>;
  abstract close(): Promise<void>;

  /** Hands an event that reached this process to its local subscribers. */
  protected deliverLocally(e: DeliveryEventMessage): void {
    this.emitter.emit(e.verificationId, e);
    this.emitter.emit("*", e);
  }

  subscribe(verificationId: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.on(verificationId, handler);
  }

  subscribeAll(handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.on("*", handler);
  }

  subscriberCount(verificationId: string): number {
    return this.emitter.listenerCount(verificationId);
  }

  /** Whether anything in this process listens at all: a bus may then skip decoding what arrives. */
  protected get hasListeners(): boolean {
    return this.listeners > 0;
  }

  private on(key: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    this.emitter.on(key, handler);
    this.listeners++;
    let off = false;
    return () => {
      if (off) return;
      off = true;
      this.listeners--;
      this.emitter.off(key, handler);
    };
  }
}

export class MemoryEventBus extends FanoutBus {
  async publish(e: DeliveryEventMessage): Promise<void> {
    // Asynchronous like Redis, so that subscribers never run inside the publisher's transaction code.
    queueMicrotask(() => this.deliverLocally(e));
  }

  async close(): Promise<void> {}
}
