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

/** Emitter keys of status listeners (verification ids are UUIDs: no clash). */
const STATUS_KEY = "status:";

/**
 * Fans delivery events out to subscribers by verification id. One process: an EventEmitter.
 * Several: RedisEventBus publishes on one Redis channel and every process re-emits locally.
 */
export interface EventBus {
  publish(event: DeliveryEventMessage): Promise<void>;
  subscribe(verificationId: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe;
  /** Every event, for process-wide listeners (the admin live log, metrics). */
  subscribeAll(handler: (e: DeliveryEventMessage) => void): Unsubscribe;
  /**
   * Every event whose delivery has this status (the worker's wake-up: QUEUED). A process whose
   * only listener is this one decodes only what carries that status (redis-event-bus.ts).
   */
  subscribeStatus(status: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe;
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
  /** Listeners by kind, so that a bus can tell from a message's header whether anyone here wants it. */
  private allListeners = 0;
  private readonly statusListeners = new Map<string, number>();

  abstract publish(event: DeliveryEventMessage): Promise<void>;
  abstract close(): Promise<void>;

  /** Hands an event that reached this process to its local subscribers. */
  protected deliverLocally(e: DeliveryEventMessage): void {
    this.emitter.emit(e.verificationId, e);
    this.emitter.emit("*", e);
    if (this.statusListeners.size) this.emitter.emit(STATUS_KEY + e.delivery.status, e);
  }

  subscribe(verificationId: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.on(verificationId, handler);
  }

  subscribeAll(handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    return this.on("*", handler);
  }

  subscribeStatus(status: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    this.statusListeners.set(status, (this.statusListeners.get(status) ?? 0) + 1);
    const off = this.on(STATUS_KEY + status, handler);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = this.statusListeners.get(status)! - 1;
      if (left) this.statusListeners.set(status, left);
      else this.statusListeners.delete(status);
      off();
    };
  }

  subscriberCount(verificationId: string): number {
    return this.emitter.listenerCount(verificationId);
  }

  /** Whether anything in this process listens at all: a bus may then skip decoding what arrives. */
  protected get hasListeners(): boolean {
    return this.listeners > 0;
  }

  /**
   * Whether this process wants any of the events a message's header names (`id=STATUS;` per
   * event, see redis-event-bus.ts) without decoding the events: a subscriber to everything wants
   * all of them; otherwise one of the statuses or verification ids must have a listener here.
   */
  protected wantsAnyOf(header: string): boolean {
    if (this.allListeners > 0) return true;
    let statusListeners = 0;
    for (const [status, n] of this.statusListeners) {
      if (header.includes(`=${status};`)) return true;
      statusListeners += n;
    }
    // Listeners of single verifications (subscriptions): look the header's ids up.
    if (this.listeners - statusListeners === 0) return false;
    for (let at = 0; at < header.length; ) {
      const eq = header.indexOf("=", at);
      const end = header.indexOf(";", eq);
      if (eq < 0 || end < 0) return true; // not ours to judge: decode, and let decoding report it
      if (this.emitter.listenerCount(header.slice(at, eq)) > 0) return true;
      at = end + 1;
    }
    return false;
  }

  private on(key: string, handler: (e: DeliveryEventMessage) => void): Unsubscribe {
    this.emitter.on(key, handler);
    this.listeners++;
    if (key === "*") this.allListeners++;
    let off = false;
    return () => {
      if (off) return;
      off = true;
      this.listeners--;
      if (key === "*") this.allListeners--;
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
