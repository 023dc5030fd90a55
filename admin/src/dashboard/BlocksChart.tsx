import { dateTime } from "../common/format";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { bucketLabel, ChartCard } from "./ChartCard";

/** Rate-limit refusals per bucket. */
export function BlocksChart({ data, unit }: { data: any[]; unit: string }) {
  return (
    <ChartCard title="Blocks over time" subtitle="rate-limit refusals recorded" testId="chart-blocks">
      <ResponsiveContainer>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" tickFormatter={bucketLabel(unit)} minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip labelFormatter={(v) => dateTime(String(v))} />
          <Bar isAnimationActive={false} dataKey="blocks" name="Blocks" fill="#ed6c02" />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
