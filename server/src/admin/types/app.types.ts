import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { Channel } from "../../verification/enums";
import "../../verification/enum-types"; // the shared enums' GraphQL names

@ObjectType({ description: "An API key's public part: its secret is never stored or shown again" })
export class ApiKeyInfo {
  @Field(() => ID) id: string;
  @Field(() => String, { description: 'e.g. "otpk_3f2a…_…"' }) hint: string;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
}

@ObjectType({ description: "A destination with a fixed code, played back without a vendor" })
export class TestDestinationRecord {
  @Field(() => String) destination: string;
  @Field(() => String, { description: "The fixed code (configuration, not a sent code)" }) code: string;
  @Field(() => String, { description: "DELIVERED, FAILED or UNDELIVERED" }) outcome: string;
}

@InputType()
export class TestDestinationInput {
  @Field(() => String) destination: string;
  @Field(() => String) code: string;
  @Field(() => String, { nullable: true }) outcome?: string | null;
}

@ObjectType({ description: "The SIM-swap check before a phone code (CAMARA SIM Swap)" })
export class SimSwapSettingRecord {
  @Field(() => Int, { description: "A SIM change within this many hours counts as a swap (1 to 2400)" }) maxAgeHours: number;
  @Field(() => String, { description: "flag: send the code and mark the verification; refuse: FORBIDDEN (reason SIM_SWAP), nothing sent" }) action: string;
}

@InputType()
export class SimSwapSettingInput {
  @Field(() => Int) maxAgeHours: number;
  @Field(() => String, { description: "flag or refuse" }) action: string;
}

@ObjectType({ description: "A client app and its settings" })
export class AppRecord {
  @Field(() => ID) id: string;
  @Field(() => String, { description: "Shown in messages" }) name: string;
  @Field(() => Int) codeLength: number;
  @Field(() => Int) ttlSeconds: number;
  @Field(() => Int) maxAttempts: number;
  @Field(() => Int) resendCooldownSeconds: number;
  @Field(() => Int, { description: "Sends per destination per 10 minutes" }) maxSends: number;
  @Field(() => Int, { nullable: true }) hourlyBudget: number | null;
  @Field(() => [String], { description: "Allowed destination countries (empty: all)" }) countries: string[];
  @Field(() => String) defaultLocale: string;
  @Field(() => Channel, { nullable: true }) fallbackChannel: Channel | null;
  @Field(() => [String], { description: "Countries allowed for VOICE when they differ from countries" }) voiceCountries: string[];
  @Field(() => [TestDestinationRecord], { description: "Fixed-code destinations for the app's own testing; they never reach a vendor" }) testDestinations: TestDestinationRecord[];
  @Field(() => String, { description: "Abuse limit overrides (settings.limits) as JSON; {} for the defaults" }) limits: string;
  @Field(() => String, { nullable: true }) smsAppHash: string | null;
  @Field(() => String, { nullable: true }) webOtpDomain: string | null;
  @Field(() => SimSwapSettingRecord, { nullable: true, description: "Null: no SIM-swap check" }) simSwap: SimSwapSettingRecord | null;
  @Field(() => Date) createdAt: Date;
  @Field(() => Date) updatedAt: Date;
  @Field(() => [ApiKeyInfo]) keys: ApiKeyInfo[];
  @Field(() => Float, { nullable: true, description: "Share (0..1) of the last 24 hours' requests without clientIp: no per-IP limit applies to them; null without requests" })
  requestsWithoutClientIp24h: number | null;
  @Field(() => String, { description: "What the share without clientIp means for this app" }) clientIpHint: string;
}

@ObjectType()
export class AppPage {
  @Field(() => [AppRecord]) data: AppRecord[];
  @Field(() => Int) total: number;
}

@ObjectType({ description: "An app's id and name, for filters" })
export class AppOption {
  @Field(() => ID) id: string;
  @Field(() => String) name: string;
}

@ObjectType({ description: "A new API key: shown this once, never again" })
export class IssuedKey {
  @Field(() => AppRecord) app: AppRecord;
  @Field(() => String) apiKey: string;
  @Field(() => ID, { nullable: true, description: "The key this one replaced (now revoked)" }) revokedKeyId: string | null;
}

@InputType()
export class AppInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Int, { nullable: true }) codeLength?: number | null;
  @Field(() => Int, { nullable: true }) ttlSeconds?: number | null;
  @Field(() => Int, { nullable: true }) maxAttempts?: number | null;
  @Field(() => Int, { nullable: true }) resendCooldownSeconds?: number | null;
  @Field(() => Int, { nullable: true }) maxSends?: number | null;
  @Field(() => Int, { nullable: true, description: "0 or null: no hourly cap" }) hourlyBudget?: number | null;
  @Field(() => [String], { nullable: true }) countries?: string[] | null;
  @Field(() => String, { nullable: true }) defaultLocale?: string | null;
  @Field(() => Channel, { nullable: true }) fallbackChannel?: Channel | null;
  @Field(() => [String], { nullable: true }) voiceCountries?: string[] | null;
  @Field(() => [TestDestinationInput], { nullable: true }) testDestinations?: TestDestinationInput[] | null;
  @Field(() => String, { nullable: true, description: "Abuse limit overrides as JSON; empty for the defaults" }) limits?: string | null;
  @Field(() => String, { nullable: true }) smsAppHash?: string | null;
  @Field(() => String, { nullable: true }) webOtpDomain?: string | null;
  @Field(() => SimSwapSettingInput, { nullable: true, description: "Absent: unchanged; null: the check off" }) simSwap?: SimSwapSettingInput | null;
}

@InputType()
export class AppFilter {
  @Field(() => String, { nullable: true }) q?: string | null;
  @Field(() => [ID], { nullable: true }) ids?: string[] | null;
}
