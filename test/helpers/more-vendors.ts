import type { HttpVendorFake } from "../fakes/http-vendor-fake";

/** The gateway environment for the reference http vendor (HTTP_PROVIDER_*). */
export function httpVendorEnv(fake: HttpVendorFake, channels = "SMS"): Record<string, string> {
  return { HTTP_PROVIDER_URL: fake.url, HTTP_PROVIDER_SECRET: fake.secret, HTTP_PROVIDER_CHANNELS: channels };
}

export const SNS_REGION = "eu-west-1";
export const SNS_KEY_ID = "AKIAOTPGATEWAYTEST01";
export const SNS_SECRET = "sns-test-secret-access-key-0123456789abcd";

/** The gateway environment for the SNS stand-in (keys given explicitly, as the SDK's chain would find them). */
export function snsEnv(fake: { url: string }, extra: Record<string, string> = {}): Record<string, string> {
  return { AWS_REGION: SNS_REGION, AWS_ACCESS_KEY_ID: SNS_KEY_ID, AWS_SECRET_ACCESS_KEY: SNS_SECRET, AWS_SNS_ENDPOINT: fake.url, ...extra };
}

export const MESSAGEBIRD_KEY = "live_messagebird_test_access_key_0123";
export const MESSAGEBIRD_SIGNING_KEY = "messagebird-signing-key-0123456789abcdef";

/** The gateway environment for the MessageBird stand-in. */
export function messagebirdEnv(fake: { url: string }, extra: Record<string, string> = {}): Record<string, string> {
  return { MESSAGEBIRD_ACCESS_KEY: MESSAGEBIRD_KEY, MESSAGEBIRD_ORIGINATOR: "GB:AcmeID,*:+15557654321", MESSAGEBIRD_API_BASE_URL: fake.url, MESSAGEBIRD_SIGNING_KEY, ...extra };
}
