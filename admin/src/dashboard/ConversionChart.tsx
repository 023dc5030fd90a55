import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { dateTime, percent } from "../common/format";
import { bucketLabel, ChartCard } from "./ChartCard";

/** Share of verifications that ended verified, per bucket (computed on the server). */
export function ConversionChart({ data, unit }: { data: any[]; unit: string }) {
  const points = data.map((p) => ({ ...p, conversionRate: p.requested ? p.conversionRate : null }));
  return (
    <ChartCard title="Conversion" subtitle="verified ÷ requested" testId="chart-conversion">
      <ResponsiveContainer>
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" tickFormatter={bucketLabel(unit)} minTickGap={24} />
          <YAxis domain={[0, 1]} tickFormatter={(v) => percent(v)} />
          <Tooltip formatter={(v) => percent(Number(v))} labelFormatter={(v) => dateTime(String(v))} />
          <Line isAnimationActive={false} type="monotone" dataKey="conversionRate" name="Conversion" stroke="#2e7d32" connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
