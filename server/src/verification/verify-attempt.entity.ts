import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** One verifyOtp call and its outcome, for the support timeline and the failed-attempt budgets. */
@Entity({ name: "verify_attempts" })
export class VerifyAttemptEntity {
  @PrimaryGeneratedColumn({ type: "bigint" }) id: string;
  @Column({ type: "uuid", name: "verification_id", nullable: true }) verificationId: string | null;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "text", name: "client_ip", nullable: true }) clientIp: string | null;
  @Column({ type: "text" }) outcome: string;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
