/** The page's periods: the last 24 hours, 7 or 30 days up to now, or two moments the person picks. */
export type PeriodChoice = "24h" | "7d" | "30d" | "custom";

export const PERIOD_LABELS: Record<PeriodChoice, string> = { "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", custom: "Custom" };
const HOURS: Record<Exclude<PeriodChoice, "custom">, number> = { "24h": 24, "7d": 168, "30d": 720 };

/** [from, to) as ISO strings; "last …" ends at the next whole minute, so a re-render asks the same question. */
export function periodBounds(choice: PeriodChoice, custom: { from: string; to: string }, now = new Date()): { from: string; to: string } | null {
  if (choice === "custom") {
    const from = new Date(custom.from);
    const to = new Date(custom.to);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return null;
    return { from: from.toISOString(), to: to.toISOString() };
  }
  const to = new Date(Math.ceil(now.getTime() / 60_000) * 60_000);
  return { from: new Date(to.getTime() - HOURS[choice] * 3_600_000).toISOString(), to: to.toISOString() };
}

/** A `datetime-local` input's value (the browser's time zone) for a moment. */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
