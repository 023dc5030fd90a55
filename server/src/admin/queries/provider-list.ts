import type { ProviderRegistry } from "../../providers/registry";
import { Channel } from "../../verification/enums";
import { explainError } from "../error-explanations";
import { emptyWindow, providerStats, type WindowStats } from "./provider-stats";
import type { DataSource } from "typeorm";

/** Circuit state as the registry reports it (this process's breakers), or "unknown" when it can't. */
function breakerStates(registry: ProviderRegistry): Map<string, string> {
  const states = new Map<string, string>();
  const health = (registry as { providerHealth?: () => Array<{ provider: string; state: string }> }).providerHealth;
  if (typeof health === "function") for (const h of health.call(registry)) states.set(h.provider, h.state);
  return states;
}

/**
 * Every provider the gateway is configured with, per channel in failover order, plus any that
 * carried traffic this week but is no longer configured; each with its statistics.
 */
export async function providerList(ds: DataSource, registry: ProviderRegistry) {
  const stats = await providerStats(ds);
  const states = breakerStates(registry);
  const rows = new Map<string, { provider: string; channel: string; position: number | null }>();
  for (const channel of Object.values(Channel)) {
    registry.forChannel(channel).forEach((p, i) => rows.set(`${p.name}:${channel}`, { provider: p.name, channel, position: i }));
  }
  for (const s of stats) if (!rows.has(`${s.provider}:${s.channel}`)) rows.set(`${s.provider}:${s.channel}`, { provider: s.provider, channel: s.channel, position: null });
  const window = (w: WindowStats[], name: WindowStats["window"]) => w.find((x) => x.window === name) ?? emptyWindow(name);
  return [...rows.entries()].map(([id, r]) => {
    const s = stats.find((x) => x.provider === r.provider && x.channel === r.channel);
    const windows = s?.windows ?? [];
    return {
      id, ...r,
      breakerState: r.position === null ? "unknown" : states.get(r.provider) ?? "unknown",
      hour: window(windows, "HOUR"), day: window(windows, "DAY"), week: window(windows, "WEEK"),
      topErrors: (s?.topErrors ?? []).map((e) => ({ ...e, explanation: explainError(r.provider, e.code) })),
    };
  });
}
