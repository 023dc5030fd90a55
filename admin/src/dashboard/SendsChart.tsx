import { dateTime } from "../common/format";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { bucketLabel, ChartCard } from "./ChartCard";

/** Verifications requested and verified, and provider hand-offs, per bucket. */
export function SendsChart({ data, unit }: { data: any[]; unit: string }) {
  return (
    <ChartCard title="Sends over time" subtitle="verifications requested and verified; hand-offs to providers" testId="chart-sends">
      <ResponsiveContainer>
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" tickFormatter={bucketLabel(unit)} minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip labelFormatter={(v) => dateTime(String(v))} />
          <Legend />
          <Line isAnimationActive={false} type="monotone" dataKey="requested" name="Requested" stroke="#1976d2" dot={false} />
          <Line isAnimationActive={false} type="monotone" dataKey="approved" name="Verified" stroke="#2e7d32" dot={false} />
          <Line isAnimationActive={false} type="monotone" dataKey="attempts" name="Hand-offs" stroke="#9e9e9e" strokeDasharray="4 2" dot={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
