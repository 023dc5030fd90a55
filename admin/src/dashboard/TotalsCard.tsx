import { Card, CardContent, Grid, Typography } from "@mui/material";
import { percent } from "../common/format";

function Stat({ label, value, hint }: { label: string; value: string | number; hint?: string }) {
  return (
    <Grid size={{ xs: 6, md: 2.4 }}>
      <Card variant="outlined"><CardContent>
        <Typography variant="caption" color="text.secondary">{label}</Typography>
        <Typography variant="h5">{value}</Typography>
        {hint && <Typography variant="caption" color="text.secondary">{hint}</Typography>}
      </CardContent></Card>
    </Grid>
  );
}

/** The period at a glance, from the server's totals. */
export function TotalsCard({ totals }: { totals: any }) {
  return (
    <Grid container spacing={2}>
      <Stat label="Verifications" value={totals.requested} />
      <Stat label="Verified" value={totals.approved} hint={`${percent(totals.conversionRate)} conversion`} />
      <Stat label="Hand-offs to providers" value={totals.attempts} />
      <Stat label="Failed hand-offs" value={totals.failed} hint={`${percent(totals.failureRate)} failure rate`} />
      <Stat label="Active blocks" value={totals.activeBlocks} />
    </Grid>
  );
}
