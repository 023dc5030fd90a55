import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** One verifyTotp try against one factor and its outcome (APPROVED, WRONG_CODE, REPLAYED, RATE_LIMITED). */
@Entity({ name: "totp_attempts" })
export class TotpAttemptEntity {
  @PrimaryGeneratedColumn({ type: "bigint" }) id: string;
  @Column({ type: "uuid", name: "factor_id" }) factorId: string;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "text", name: "client_ip", nullable: true }) clientIp: string | null;
  @Column({ type: "text" }) outcome: string;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
