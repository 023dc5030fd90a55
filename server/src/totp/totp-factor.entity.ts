import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/** An authenticator app registered for one of an app's end users (`subject`). */
@Entity({ name: "totp_factors" })
export class TotpFactorEntity {
  @PrimaryColumn({ type: "uuid" }) id: string;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "text" }) subject: string;
  @Column({ type: "text", nullable: true }) label: string | null;
  @Column({ type: "text" }) status: string;
  /** AES-GCM under the TOTP key, the factor id as associated data; NULL once revoked. */
  @Column({ type: "bytea", name: "secret_cipher", nullable: true }) secretCipher: Buffer | null;
  /** The newest accepted time step (unix time / 30 s): a code of this step or older never passes again. */
  @Column({ type: "bigint", name: "last_step", nullable: true }) lastStep: string | null;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "verified_at", nullable: true }) verifiedAt: Date | null;
  @Column({ type: "timestamptz", name: "last_used_at", nullable: true }) lastUsedAt: Date | null;
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true }) revokedAt: Date | null;
}
