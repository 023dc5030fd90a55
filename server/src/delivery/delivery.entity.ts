import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from "typeorm";
import type { Channel, DeliveryStatus } from "../verification/enums";

/** One message to send: a row of the transactional outbox, claimed by workers with a lease. */
@Entity({ name: "deliveries" })
export class DeliveryEntity {
  @PrimaryColumn({ type: "uuid" }) id: string;
  @Column({ type: "uuid", name: "verification_id" }) verificationId: string;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "text" }) channel: Channel;
  @Column({ type: "text" }) provider: string;
  @Column({ type: "int", name: "provider_index" }) providerIndex: number;
  @Column({ type: "text" }) status: DeliveryStatus;
  @Column({ type: "text", name: "provider_message_id", nullable: true }) providerMessageId: string | null;
  /** W3C trace context of the request that queued it; null when tracing is off. */
  @Column({ type: "text", nullable: true }) traceparent: string | null;
  @Column({ type: "text", name: "error_code", nullable: true }) errorCode: string | null;
  @Column({ type: "text", name: "error_message", nullable: true }) errorMessage: string | null;
  /** Attempts on the current provider (reset on failover). */
  @Column({ type: "int" }) attempts: number;
  /** Full passes through the channel's providers: each one waits longer before starting over. */
  @Column({ type: "int", name: "failover_round", default: 0 }) failoverRound: number;
  /** Set on a fallback-channel delivery: the failed delivery it stands in for. */
  @Column({ type: "uuid", name: "fallback_of", nullable: true }) fallbackOf: string | null;
  /** What the vendor charged (decimal string, numeric in Postgres), its ISO 4217 currency, and "vendor" or "table" (PRICE_TABLE); null when unknown. */
  @Column({ type: "numeric", name: "price_amount", nullable: true }) priceAmount: string | null;
  @Column({ type: "text", name: "price_currency", nullable: true }) priceCurrency: string | null;
  @Column({ type: "text", name: "price_source", nullable: true }) priceSource: "vendor" | "table" | null;
  /** The channel the vendor reports having used when not the delivery's own (Twilio's SMS fallback of an RCS message); null otherwise. */
  @Column({ type: "text", name: "sent_as", nullable: true }) sentAs: Channel | null;
  @Column({ type: "timestamptz", name: "next_attempt_at" }) nextAttemptAt: Date;
  @Column({ type: "timestamptz", name: "lease_until", nullable: true }) leaseUntil: Date | null;
  @Column({ type: "text", name: "leased_by", nullable: true }) leasedBy: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
