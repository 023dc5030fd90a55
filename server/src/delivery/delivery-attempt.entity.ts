import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** One hand-off of a delivery to one provider: what the vendor said and how long it took. */
@Entity({ name: "delivery_attempts" })
export class DeliveryAttemptEntity {
  @PrimaryGeneratedColumn({ type: "bigint" }) id: string;
  @Column({ type: "uuid", name: "delivery_id" }) deliveryId: string;
  @Column({ type: "text" }) provider: string;
  @Column({ type: "text", name: "provider_message_id", nullable: true }) providerMessageId: string | null;
  /** SENT; RETRY (transient failure: same provider later, or a new pass over all providers); FAILOVER (next provider now); FAILED (final). */
  @Column({ type: "text" }) outcome: string;
  @Column({ type: "text", name: "error_code", nullable: true }) errorCode: string | null;
  @Column({ type: "text", name: "error_message", nullable: true }) errorMessage: string | null;
  @Column({ type: "int", name: "latency_ms" }) latencyMs: number;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
