import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/** An app's API key: the id is public (it is part of the key), the secret is stored as SHA-256 only. */
@Entity({ name: "api_keys" })
export class ApiKeyEntity {
  @PrimaryColumn({ type: "text" }) id: string;
  @Column({ type: "uuid", name: "app_id" }) appId: string;
  @Column({ type: "bytea", name: "secret_hash" }) secretHash: Buffer;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @Column({ type: "timestamptz", name: "revoked_at", nullable: true }) revokedAt: Date | null;
}
