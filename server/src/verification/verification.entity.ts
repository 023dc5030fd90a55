import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from "typeorm";
import type { Channel, VerificationStatus } from "./enums";
import type { SimSwapResult } from "../risk/sim-swap-result";

/** One verification: the code lives here only as an HMAC (to verify) and a ciphertext (for the worker, while pending). */
@Entity({ name: "verifications" })
export class VerificationEntity {
  @PrimaryColumn({ type: "uuid" }) id: string;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "text" }) channel: Channel;
  @Column({ type: "text" }) destination: string;
  @Column({ type: "text", name: "destination_country", nullable: true }) destinationCountry: string | null;
  @Column({ type: "text", nullable: true }) purpose: string | null;
  @Column({ type: "text" }) locale: string;
  @Column({ type: "jsonb", nullable: true }) transaction: { amount: string; payee: string } | null;
  @Column({ type: "text", name: "client_ip", nullable: true }) clientIp: string | null;
  @Column({ type: "bytea", name: "code_hash", nullable: true, select: false }) codeHash: Buffer | null;
  @Column({ type: "bytea", name: "code_cipher", nullable: true, select: false }) codeCipher: Buffer | null;
  @Column({ type: "int", name: "code_length" }) codeLength: number;
  @Column({ type: "text" }) status: VerificationStatus;
  @Column({ type: "int", name: "failed_attempts" }) failedAttempts: number;
  @Column({ type: "int", name: "max_attempts" }) maxAttempts: number;
  @Column({ type: "int", name: "send_count" }) sendCount: number;
  /** Which pumping budgets its sends were counted on (protection/pumping-guard.ts): "prefix", "fresh", "known" or none. */
  @Column({ type: "text", name: "pumping_scope", nullable: true }) pumpingScope: "prefix" | "fresh" | "known" | null;
  /** The SIM-swap check's result (risk/sim-swap-gate.ts); null when none applied. */
  @Column({ type: "text", name: "sim_swap", nullable: true }) simSwap: SimSwapResult | null;
  @Column({ type: "timestamptz", name: "sim_swap_checked_at", nullable: true }) simSwapCheckedAt: Date | null;
  @Column({ type: "timestamptz", name: "expires_at" }) expiresAt: Date;
  @Column({ type: "timestamptz", name: "resend_available_at" }) resendAvailableAt: Date;
  @Column({ type: "timestamptz", name: "completed_at", nullable: true }) completedAt: Date | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
