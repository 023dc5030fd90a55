import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

/** A rate-limit refusal, kept so that support staff can explain it and an operator can lift it. */
@Entity({ name: "rate_limit_blocks" })
export class RateLimitBlockEntity {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "uuid", name: "app_id", nullable: true }) appId: string | null;
  @Column({ type: "text" }) rule: string;
  /** HMAC of the limiter key, so a block can be found by destination without storing it in clear. */
  @Column({ type: "text", name: "key_hash" }) keyHash: string;
  @Column({ type: "text", name: "key_masked" }) keyMasked: string;
  @Column({ type: "int" }) hits: number;
  @Column({ type: "int" }) limit: number;
  @Column({ type: "timestamptz", name: "blocked_until" }) blockedUntil: Date;
  @Column({ type: "boolean", default: false }) shadow: boolean;
  @Column({ type: "jsonb", default: {} }) details: Record<string, unknown>;
  @Column({ type: "timestamptz", name: "lifted_at", nullable: true }) liftedAt: Date | null;
  @Column({ type: "text", name: "lifted_by", nullable: true }) liftedBy: string | null;
  @Column({ type: "text", name: "lift_reason", nullable: true }) liftReason: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
}
