import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ChartCard } from "./ChartCard";

/** Verifications by destination country (EMAIL for e-mail), the top 20. */
export function CountryTraffic({ data }: { data: any[] }) {
  return (
    <ChartCard title="Traffic by country" subtitle="verifications requested and verified" testId="chart-countries">
      <ResponsiveContainer>
        <BarChart data={data} layout="vertical" margin={{ left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" allowDecimals={false} />
          <YAxis type="category" dataKey="country" width={56} />
          <Tooltip />
          <Legend />
          <Bar isAnimationActive={false} dataKey="requested" name="Requested" fill="#1976d2" />
          <Bar isAnimationActive={false} dataKey="approved" name="Verified" fill="#2e7d32" />
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
