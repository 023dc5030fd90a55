import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/** A token signing key pair; the private half is stored encrypted under OTP_SECRET. */
@Entity({ name: "signing_keys" })
export class SigningKeyEntity {
  @PrimaryColumn({ type: "text" }) kid: string;
  @Column({ type: "text" }) alg: string;
  @Column({ type: "jsonb", name: "public_jwk" }) publicJwk: Record<string, unknown>;
  @Column({ type: "bytea", name: "private_key_cipher" }) privateKeyCipher: Buffer;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  /** When it starts signing: after the JWKS cache lifetime for a rotated-in key (token-signer.ts). */
  @Column({ type: "timestamptz", name: "sign_after" }) signAfter: Date;
  /** When it stops (stopped) signing; it stays published a token's lifetime longer. */
  @Column({ type: "timestamptz", name: "retired_at", nullable: true }) retiredAt: Date | null;
  /** Taken out of the JWKS at once (`keys rotate --now`, a leaked key). */
  @Column({ type: "timestamptz", name: "withdrawn_at", nullable: true }) withdrawnAt: Date | null;
}
