import type { Channel } from "../verification/enums";
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from "typeorm";
import type { LimitsSettings } from "../protection/abuse-settings";
import type { SafelistEntry } from "../protection/safelist";
import type { TestDestination } from "../protection/test-destinations";
import type { SimSwapSettings } from "../risk/sim-swap-settings";

/** Per-app channel extras that are not limits: kept in one jsonb column so they grow without migrations. */
export interface AppSettings {
  /** Android SMS Retriever: the 11-character app hash appended to the SMS. */
  smsAppHash?: string;
  /** WebOTP: the origin's domain for the `@domain #code` line. */
  webOtpDomain?: string;
  /** Channel to try when the first channel's delivery ends FAILED/UNDELIVERED. */
  fallbackChannel?: `${Channel}`;
  /** Countries allowed for VOICE when they differ from `countries` (which then applies to SMS). */
  voiceCountries?: string[];
  /** Abuse limits that differ from the defaults (protection/abuse-settings.ts); `null` turns one off. */
  limits?: LimitsSettings;
  /** Fixed-code destinations that never reach a vendor (protection/test-destinations.ts). */
  testDestinations?: TestDestination[];
  /** Numbers and ranges the pumping guard never refuses (protection/safelist.ts). */
  safelist?: SafelistEntry[];
  /** Check phone-channel requests for a recent SIM swap, then flag or refuse (risk/sim-swap-gate.ts). */
  simSwap?: SimSwapSettings;
}

@Entity({ name: "apps" })
export class AppEntity {
  @PrimaryGeneratedColumn("uuid") id: string;
  @Column({ type: "text" }) name: string;
  @Column({ type: "int", name: "code_length", default: 6 }) codeLength: number;
  @Column({ type: "int", name: "ttl_seconds", default: 300 }) ttlSeconds: number;
  @Column({ type: "int", name: "max_attempts", default: 5 }) maxAttempts: number;
  @Column({ type: "int", name: "resend_cooldown_seconds", default: 30 }) resendCooldownSeconds: number;
  @Column({ type: "int", name: "max_sends", default: 5 }) maxSends: number;
  @Column({ type: "int", name: "hourly_budget", nullable: true }) hourlyBudget: number | null;
  @Column({ type: "text", array: true, nullable: true }) countries: string[] | null;
  @Column({ type: "text", name: "default_locale", default: "en" }) defaultLocale: string;
  @Column({ type: "jsonb", default: {} }) settings: AppSettings;
  @CreateDateColumn({ type: "timestamptz", name: "created_at" }) createdAt: Date;
  @UpdateDateColumn({ type: "timestamptz", name: "updated_at" }) updatedAt: Date;
}
