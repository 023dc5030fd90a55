import { Card, CardContent, Grid, Typography } from "@mui/material";
import { percent } from "../common/format";
import type { SpendRow } from "../dataProvider";
import { moneyList } from "./money";

function Stat({ label, value, hint, testId }: { label: string; value: string | number; hint?: string; testId: string }) {
  return (
    <Grid size={{ xs: 6, md: 2.4 }}>
      <Card variant="outlined" data-testid={testId}><CardContent>
        <Typography variant="caption" color="text.secondary">{label}</Typography>
        <Typography variant="h6">{value}</Typography>
        {hint && <Typography variant="caption" color="text.secondary">{hint}</Typography>}
      </CardContent></Card>
    </Grid>
  );
}

/** The period's totals: spend per currency (never added across currencies) and what it bought. */
export function SpendTotals({ totals }: { totals: SpendRow }) {
  const unpriced = totals.attempts - totals.pricedAttempts;
  return (
    <Grid container spacing={2}>
      <Stat testId="total-spend" label="Spend" value={moneyList(totals.cost)} hint={unpriced > 0 ? `${unpriced} hand-off${unpriced === 1 ? "" : "s"} without a known price` : undefined} />
      <Stat testId="total-verifications" label="Verifications" value={totals.verifications} />
      <Stat testId="total-approved" label="Verified" value={totals.approved} />
      <Stat testId="total-conversion" label="Conversion" value={percent(totals.conversionRate)} hint="verified ÷ verifications" />
      <Stat testId="total-cost-per-verified" label="Cost per verified user" value={totals.cost.length && !totals.approved ? "nobody verified" : moneyList(totals.costPerVerified)} />
    </Grid>
  );
}
