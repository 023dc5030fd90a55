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
  @Column({ type: "text", name: "error_code", nullable: true }) errorCode: string | null;
  @Column({ type: "text", name: "error_message", nullable: true }) errorMessage: string | null;
  @Column({ type: "int" }) attempts: number;
  @Column({ type: "timestamptz", name: "next_attempt_at" }) nextAttemptAt: Date;
  @Column({ type: "timestamptz", name: "lease_until", nullable: true }) leaseUntil: Date | null;
  @Column({ type: "text", name: "leased_by", nullable: true }) leasedBy: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
