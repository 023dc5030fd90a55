import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { percent } from "../common/format";
import type { SpendRow } from "../dataProvider";
import { ChartCard } from "../dashboard/ChartCard";
import { amountIn } from "./money";

/**
 * Spend by country in one currency (a chart per currency: amounts are never converted or added
 * across currencies), the top 20; a country with spend and (almost) no conversion is drawn red.
 */
export function SpendChart({ rows, currency }: { rows: SpendRow[]; currency: string }) {
  const data = rows
    .filter((r) => r.cost.some((m) => m.currency === currency))
    .map((r) => ({ country: r.country ?? "—", spend: amountIn(r.cost, currency), flagged: r.spendWithoutConversion, conversion: r.conversionRate }))
    .sort((a, b) => b.spend - a.spend)
    .slice(0, 20);
  return (
    <ChartCard title={`Spend by country, ${currency}`} subtitle="red: spend with (almost) no conversion" testId={`chart-spend-${currency}`}>
      <ResponsiveContainer>
        <BarChart data={data} layout="vertical" margin={{ left: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" />
          <YAxis type="category" dataKey="country" width={56} />
          <Tooltip formatter={(v, _n, item: any) => [`${v} ${currency} — ${percent(item.payload.conversion)} conversion`, "Spend"]} />
          <Bar isAnimationActive={false} dataKey="spend" name={`Spend (${currency})`}>
            {data.map((d) => <Cell key={d.country} fill={d.flagged ? "#d32f2f" : "#1976d2"} />)}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

/** The currencies the period's money went out in, by code as the server lists them: a chart each. */
export function currenciesOf(totals: SpendRow): string[] {
  return totals.cost.map((m) => m.currency);
}
