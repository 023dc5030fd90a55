import { useState } from "react";
import { Alert, Box, Grid, MenuItem, Stack, TextField, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Title } from "react-admin";
import { useAdminData, useAppChoices } from "../common/hooks";
import type { SpendRow } from "../dataProvider";
import { localInput, PERIOD_LABELS, periodBounds, type PeriodChoice } from "./period";
import { currenciesOf, SpendChart } from "./SpendChart";
import { SpendTable } from "./SpendTable";
import { SpendTotals } from "./SpendTotals";

const orNone = (v: string | null, none: string) => v ?? none;

/**
 * "Spend & conversion" (ADMIN): what verification cost and who converted, over a period, for
 * every app or one. Every figure comes computed from the server (`spendAndConversion`); the page
 * only lays it out.
 */
export function SpendPage() {
  const dp = useAdminData();
  const apps = useAppChoices();
  const [choice, setChoice] = useState<PeriodChoice>("7d");
  const [appId, setAppId] = useState("");
  const [custom, setCustom] = useState(() => {
    const now = new Date();
    return { from: localInput(new Date(now.getTime() - 7 * 86_400_000)), to: localInput(now) };
  });
  const bounds = periodBounds(choice, custom);
  const { data, error } = useQuery({
    queryKey: ["spend", bounds?.from, bounds?.to, appId],
    queryFn: () => dp.spendAndConversion(bounds!.from, bounds!.to, appId || null),
    enabled: !!bounds,
    refetchInterval: choice === "custom" ? false : 60_000,
  });
  const threshold = data?.country.lowConversionThreshold ?? 0.1;
  const flagged = data?.country.rows.filter((r) => r.spendWithoutConversion) ?? [];
  return (
    <Box sx={{ p: 2 }}>
      <Title title="Spend & conversion" />
      <Stack direction="row" useFlexGap sx={{ alignItems: "center", flexWrap: "wrap", gap: 1, mb: 2 }}>
        <Typography variant="h5" sx={{ flexGrow: 1 }}>Spend &amp; conversion</Typography>
        <TextField select size="small" fullWidth={false} label="App" value={appId} onChange={(e) => setAppId(e.target.value)} sx={{ width: 200, flex: "none" }} data-testid="spend-app"
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}>
          <MenuItem value="">All apps</MenuItem>
          {apps.map((a) => <MenuItem key={a.id} value={a.id}>{a.name}</MenuItem>)}
        </TextField>
        <TextField select size="small" fullWidth={false} label="Period" value={choice} onChange={(e) => setChoice(e.target.value as PeriodChoice)} sx={{ width: 180, flex: "none" }} data-testid="spend-period">
          {(Object.keys(PERIOD_LABELS) as PeriodChoice[]).map((k) => <MenuItem key={k} value={k}>{PERIOD_LABELS[k]}</MenuItem>)}
        </TextField>
        {choice === "custom" && (
          <>
            <TextField size="small" fullWidth={false} sx={{ width: 230, flex: "none" }} type="datetime-local" label="From" name="from" value={custom.from} onChange={(e) => setCustom({ ...custom, from: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
            <TextField size="small" fullWidth={false} sx={{ width: 230, flex: "none" }} type="datetime-local" label="To" name="to" value={custom.to} onChange={(e) => setCustom({ ...custom, to: e.target.value })} slotProps={{ inputLabel: { shrink: true } }} />
          </>
        )}
      </Stack>
      {error && <Alert severity="error" sx={{ mb: 2 }}>{(error as Error).message}</Alert>}
      {data && (
        <Stack spacing={2}>
          {flagged.length > 0 && (
            <Alert severity="error" data-testid="spend-alert">
              Spend with {flagged.every((r) => r.approved === 0) ? "no" : `under ${Math.round(threshold * 100)} %`} conversion in {flagged.map((r) => orNone(r.country, "unknown country")).join(", ")}: money
              went out and (almost) nobody verified — the shape of SMS pumping. See the country's verifications and blocks.
            </Alert>
          )}
          <SpendTotals totals={data.country.totals} />
          <Grid container spacing={2}>
            {currenciesOf(data.country.totals).slice(0, 3).map((c) => (
              <Grid key={c} size={{ xs: 12, lg: 6 }}><SpendChart rows={data.country.rows} currency={c} /></Grid>
            ))}
            <Grid size={{ xs: 12 }}>
              <SpendTable testId="spend-by-country" title="By country" keyLabel="Country" label={(r: SpendRow) => orNone(r.country, "— (e-mail or unknown)")} rows={data.country.rows} threshold={threshold} />
            </Grid>
            <Grid size={{ xs: 12 }}>
              <SpendTable testId="spend-by-channel" title="By channel" keyLabel="Channel" label={(r) => orNone(r.channel, "—")} rows={data.channel.rows} threshold={threshold} />
            </Grid>
            <Grid size={{ xs: 12 }}>
              <SpendTable testId="spend-by-provider" title="By provider" keyLabel="Provider" label={(r) => orNone(r.provider, "— (not handed off)")} rows={data.provider.rows} threshold={threshold} />
            </Grid>
            {!appId && (
              <Grid size={{ xs: 12 }}>
                <SpendTable testId="spend-by-app" title="By app" keyLabel="App" label={(r) => orNone(r.appName, r.appId ?? "—")} rows={data.app.rows} threshold={threshold} />
              </Grid>
            )}
            <Grid size={{ xs: 12 }}>
              <SpendTable testId="spend-by-day" title="By day (UTC)" keyLabel="Day" label={(r) => orNone(r.day, "—")} rows={data.day.rows} threshold={threshold} />
            </Grid>
          </Grid>
        </Stack>
      )}
    </Box>
  );
}
