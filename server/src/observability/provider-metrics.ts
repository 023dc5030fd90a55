import { Gauge, type Registry } from "prom-client";
import type { CircuitStateName } from "../providers/circuit-breaker";
import type { ProviderRegistry } from "../providers/registry";

const STATES: CircuitStateName[] = ["closed", "open", "half-open", "isolated"];

/**
 * `otp_provider_circuit_state{provider, state}`: 1 for the state each provider's circuit
 * breaker is in (in this process), 0 for the others — so an alert can be `…{state="open"} == 1`
 * and a dashboard can stack states over time.
 */
export function registerProviderHealthGauge(metrics: Registry, providers: ProviderRegistry): Gauge {
  return new Gauge({
    name: "otp_provider_circuit_state",
    help: "Circuit breaker state per provider in this process (1 = the provider is in this state)",
    labelNames: ["provider", "state"],
    registers: [metrics],
    collect() {
      for (const h of providers.providerHealth()) {
        for (const state of STATES) this.set({ provider: h.provider, state }, h.state === state ? 1 : 0);
      }
    },
  });
}
