import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A message kept by the development outbox provider instead of being sent. Holds the code: development only. */
@Entity({ name: "outbox_messages" })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "delivery_id" }) deliveryId: string;
  @Column({ type: "uuid", name: "verification_id" }) verificationId: string;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "text" }) channel: string;
  @Column({ type: "text" }) recipient: string;
  @Column({ type: "text", nullable: true }) subject: string | null;
  @Column({ type: "text" }) body: string;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
