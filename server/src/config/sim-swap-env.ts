import { z } from "zod";
import type { ClientCredentialsConfig } from "../risk/client-credentials";

/**
 * The SIM-swap service's variables (GSMA CAMARA SIM Swap API, reached with an OAuth 2.0
 * client-credentials token). Kept beside env.ts like the WhatsApp ones: env.ts spreads the
 * shape and calls the checks; config.ts builds SimSwapConfig with simSwapConfig().
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const httpUrl = optionalString.pipe(z.string().url().regex(/^https?:\/\//, "must be an http:// or https:// URL").optional());

export const simSwapEnvShape = {
  /** The API's root up to its version, e.g. https://api.operator.example/sim-swap/v2: the gateway POSTs to `<it>/check`. */
  SIM_SWAP_API_BASE_URL: httpUrl,
  SIM_SWAP_TOKEN_URL: httpUrl,
  SIM_SWAP_CLIENT_ID: optionalString,
  SIM_SWAP_CLIENT_SECRET: optionalString,
  /** RFC 6749 §2.3.1: HTTP Basic (which every server must support) or the credentials in the form body. */
  SIM_SWAP_TOKEN_AUTH: z.enum(["basic", "body"]).default("basic"),
  /** A scope some operators and aggregators ask for, e.g. "sim-swap:check" (CAMARA's); unset: none is sent. */
  SIM_SWAP_SCOPE: optionalString,
  /** The whole check's deadline, token included: past it the result is UNKNOWN and the code is sent. */
  SIM_SWAP_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(2000),
};

type SimSwapEnv = z.output<z.ZodObject<typeof simSwapEnvShape>>;

const REQUIRED = ["SIM_SWAP_API_BASE_URL", "SIM_SWAP_TOKEN_URL", "SIM_SWAP_CLIENT_ID", "SIM_SWAP_CLIENT_SECRET"] as const;

/** All four or none: half a configuration would silently skip every check. */
export function simSwapEnvProblems(env: SimSwapEnv): Array<{ path: string; message: string }> {
  const set = REQUIRED.filter((k) => env[k]);
  if (!set.length || set.length === REQUIRED.length) return [];
  return REQUIRED.filter((k) => !env[k]).map((k) => ({ path: k, message: `is required with ${set.join(", ")} (the SIM-swap check needs all of ${REQUIRED.join(", ")})` }));
}

/**
 * Where and how the gateway asks about SIM swaps; absent when the service is not configured (the
 * check is then skipped). The token part is the client-credentials grant's own configuration.
 */
export interface SimSwapConfig extends ClientCredentialsConfig {
  apiBaseUrl: string;
}

export function simSwapConfig(env: SimSwapEnv): SimSwapConfig | undefined {
  if (!env.SIM_SWAP_API_BASE_URL || !env.SIM_SWAP_TOKEN_URL || !env.SIM_SWAP_CLIENT_ID || !env.SIM_SWAP_CLIENT_SECRET) return undefined;
  return {
    apiBaseUrl: env.SIM_SWAP_API_BASE_URL.replace(/\/+$/, ""),
    tokenUrl: env.SIM_SWAP_TOKEN_URL,
    clientId: env.SIM_SWAP_CLIENT_ID,
    clientSecret: env.SIM_SWAP_CLIENT_SECRET,
    tokenAuth: env.SIM_SWAP_TOKEN_AUTH,
    scope: env.SIM_SWAP_SCOPE,
    timeoutMs: env.SIM_SWAP_TIMEOUT_MS,
  };
}
