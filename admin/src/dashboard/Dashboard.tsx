import { useState } from "react";
import { Alert, Box, Grid, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Title } from "react-admin";
import { useAdminData } from "../common/hooks";
import { BlocksChart } from "./BlocksChart";
import { ConversionChart } from "./ConversionChart";
import { CountryTraffic } from "./CountryTraffic";
import { ProviderFailureChart } from "./ProviderFailureChart";
import { SendsChart } from "./SendsChart";
import { SpendCeilingBanner } from "./SpendCeilingBanner";
import { TotalsCard } from "./TotalsCard";

/** The home page: every number aggregated in SQL on the server (`dashboard(days)`); the cards only draw. */
export function Dashboard() {
  const [days, setDays] = useState(1);
  const dp = useAdminData();
  const { data, error } = useQuery({ queryKey: ["dashboard", days], queryFn: () => dp.dashboard(days), refetchInterval: 30_000 });
  return (
    <Box sx={{ p: 2 }}>
      <Title title="OTP Gateway" />
      <Stack direction="row" useFlexGap sx={{ alignItems: "center", justifyContent: "space-between", flexWrap: "wrap", gap: 1, mb: 2 }}>
        <Typography variant="h5">Overview</Typography>
        <TextField select size="small" fullWidth={false} label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))} sx={{ width: 200, flex: "none" }}>
          <MenuItem value={1}>Last 24 hours</MenuItem>
          <MenuItem value={7}>Last 7 days</MenuItem>
          <MenuItem value={30}>Last 30 days</MenuItem>
        </TextField>
      </Stack>
      <SpendCeilingBanner />
      {error && <Alert severity="error">{(error as Error).message}</Alert>}
      {data && (
        <Stack spacing={2}>
          <TotalsCard totals={data.totals} />
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, lg: 6 }}><SendsChart data={data.sends} unit={data.unit} /></Grid>
            <Grid size={{ xs: 12, lg: 6 }}><ConversionChart data={data.sends} unit={data.unit} /></Grid>
            <Grid size={{ xs: 12, lg: 6 }}><ProviderFailureChart data={data.providerFailures} unit={data.unit} /></Grid>
            <Grid size={{ xs: 12, lg: 6 }}><BlocksChart data={data.blocks} unit={data.unit} /></Grid>
            <Grid size={{ xs: 12 }}><CountryTraffic data={data.countries} /></Grid>
          </Grid>
        </Stack>
      )}
    </Box>
  );
}
