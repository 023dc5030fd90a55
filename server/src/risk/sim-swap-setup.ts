import type { Logger } from "pino";
import type { DataSource } from "typeorm";
import type { SimSwapConfig } from "../config/sim-swap-env";
import { CamaraSimSwapClient } from "./camara-sim-swap-client";
import { ClientCredentials } from "./client-credentials";
import { SimSwapGate, type SimSwapObserver } from "./sim-swap-gate";

/** The gate of an API process: with SIM_SWAP_* a CAMARA client (its token cached per process), without them a gate that never checks. */
export function buildSimSwapGate(config: SimSwapConfig | undefined, log: Logger, observe?: SimSwapObserver, now?: () => number): SimSwapGate {
  if (!config) return new SimSwapGate(undefined, 0, log, observe);
  const credentials = new ClientCredentials(config, now);
  return new SimSwapGate(new CamaraSimSwapClient(config.apiBaseUrl, credentials), config.timeoutMs, log, observe);
}

/**
 * Said once at start-up: where checks go (the host only), or — without a service — which apps
 * have a simSwap setting that will not be applied. Such a setting is kept (the service may be
 * configured later, or on other processes) and their verifications carry no risk.
 */
export async function reportSimSwapSetup(ds: DataSource, config: SimSwapConfig | undefined, log: Logger): Promise<void> {
  if (config) {
    log.info({ simSwapHost: new URL(config.apiBaseUrl).host, timeoutMs: config.timeoutMs }, "SIM-swap check on (CAMARA SIM Swap)");
    return;
  }
  const apps: Array<{ id: string; name: string }> = await ds.query(`SELECT id, name FROM apps WHERE settings ? 'simSwap' ORDER BY created_at LIMIT 50`);
  if (apps.length) {
    log.warn({ apps: apps.map((a) => a.id) }, "apps have a simSwap setting but no SIM-swap service is configured (SIM_SWAP_*): their requests are not checked");
  }
}
