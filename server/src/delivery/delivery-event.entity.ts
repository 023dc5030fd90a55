import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** Append-only log of every status change of a delivery, whoever caused it (worker, callback, api). */
@Entity({ name: "delivery_events" })
export class DeliveryEventEntity {
  @PrimaryGeneratedColumn({ type: "bigint" }) id: string;
  @Column({ type: "uuid", name: "delivery_id" }) deliveryId: string;
  @Column({ type: "uuid", name: "verification_id" }) verificationId: string;
  @Column({ type: "text" }) status: string;
  @Column({ type: "text" }) provider: string;
  @Column({ type: "text" }) source: string;
  @Column({ type: "text", name: "error_code", nullable: true }) errorCode: string | null;
  @Column({ type: "text", name: "error_message", nullable: true }) errorMessage: string | null;
  @Column({ type: "jsonb", nullable: true }) raw: Record<string, unknown> | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
