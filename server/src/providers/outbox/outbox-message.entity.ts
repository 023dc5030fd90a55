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
  /** What the outbox will report for it (DELIVERED, UNDELIVERED), and when; due null once reported (outbox-phone.ts). */
  @Column({ type: "text", name: "report_status", nullable: true }) reportStatus: string | null;
  @Column({ type: "timestamptz", name: "report_due_at", nullable: true }) reportDueAt: Date | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
