import type { HttpVendorFake } from "../fakes/http-vendor-fake";

/** The gateway environment for the reference http vendor (HTTP_PROVIDER_*). */
export function httpVendorEnv(fake: HttpVendorFake, channels = "SMS"): Record<string, string> {
  return { HTTP_PROVIDER_URL: fake.url, HTTP_PROVIDER_SECRET: fake.secret, HTTP_PROVIDER_CHANNELS: channels };
}
