import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { dateTime, percent } from "../common/format";
import { bucketLabel, ChartCard } from "./ChartCard";

const COLORS = ["#d32f2f", "#ed6c02", "#7b1fa2", "#0288d1", "#5d4037", "#455a64"];

/** One line per provider and channel ("twilio · RCS"): a vendor fails differently on each channel it carries. */
const seriesOf = (p: { provider: string; channel: string }) => `${p.provider} · ${p.channel}`;

/** Failure rate per provider and channel per bucket. The server computed each rate; this only lays them out side by side. */
export function ProviderFailureChart({ data, unit }: { data: any[]; unit: string }) {
  const providers = [...new Set(data.map(seriesOf))].sort();
  const byBucket = new Map<string, Record<string, unknown>>();
  for (const p of data) {
    const row: Record<string, unknown> = byBucket.get(p.bucket) ?? { bucket: p.bucket };
    row[seriesOf(p)] = p.failureRate;
    byBucket.set(p.bucket, row);
  }
  const rows = [...byBucket.values()];
  return (
    <ChartCard title="Failure rate per provider and channel" subtitle="refused or undelivered ÷ hand-offs" testId="chart-provider-failures">
      <ResponsiveContainer>
        <LineChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" tickFormatter={bucketLabel(unit)} minTickGap={24} />
          <YAxis domain={[0, 1]} tickFormatter={(v) => percent(v)} />
          <Tooltip formatter={(v) => percent(Number(v))} labelFormatter={(v) => dateTime(String(v))} />
          <Legend />
          {providers.map((p, i) => <Line isAnimationActive={false} key={p} type="monotone" dataKey={p} name={p} stroke={COLORS[i % COLORS.length]} connectNulls />)}
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
