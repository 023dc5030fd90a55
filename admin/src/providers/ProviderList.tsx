import { Box, Chip, Stack, Tooltip, Typography } from "@mui/material";
import { Datagrid, FunctionField, List, TextField } from "react-admin";
import { ms, percent } from "../common/format";
import { StatusChip } from "../common/StatusChip";

interface Window { attempts: number; sent: number; delivered: number; failed: number; failureRate: number; latencyP50Ms: number | null; latencyP95Ms: number | null }

function WindowCell({ w }: { w: Window }) {
  const bad = w.attempts > 0 && w.failureRate >= 0.05;
  return (
    <Box>
      <Typography variant="body1" sx={{ fontWeight: 600, color: bad ? "error.main" : "text.primary" }} data-testid="failure-rate">{w.attempts ? percent(w.failureRate) : "—"}</Typography>
      <Typography variant="caption" color="text.secondary" component="div">
        {w.attempts} hand-offs: {w.sent} sent · {w.delivered} delivered · {w.failed} failed
      </Typography>
    </Box>
  );
}

/** Which vendor is failing where: per provider and channel, failure rate over the hour, day and week, latency, breaker, top errors. */
export function ProviderList() {
  return (
    <List empty={false} pagination={false} exporter={false} title="Providers">
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="provider" sortable={false} />
        <TextField source="channel" sortable={false} />
        <FunctionField label="Order" sortable={false} render={(r: any) => (r.position === null ? "not configured" : `#${r.position + 1}`)} />
        <FunctionField label="Circuit" sortable={false} render={(r: any) => <StatusChip status={r.breakerState} label={r.breakerState} />} />
        <FunctionField label="Failure rate · last hour" sortable={false} render={(r: any) => <WindowCell w={r.hour} />} />
        <FunctionField label="Last day" sortable={false} render={(r: any) => <WindowCell w={r.day} />} />
        <FunctionField label="Last week" sortable={false} render={(r: any) => <WindowCell w={r.week} />} />
        <FunctionField label="Send latency p50 / p95 (day)" sortable={false} render={(r: any) => `${ms(r.day.latencyP50Ms)} / ${ms(r.day.latencyP95Ms)}`} />
        <FunctionField label="Top errors (week)" sortable={false} render={(r: any) => (
          <Stack direction="row" spacing={0.5} sx={{ flexWrap: "wrap" }}>
            {r.topErrors.map((e: any) => (
              <Tooltip key={e.code} title={e.explanation ?? ""}><Chip size="small" color="error" variant="outlined" label={`${e.code} × ${e.count}`} /></Tooltip>
            ))}
          </Stack>
        )} />
      </Datagrid>
    </List>
  );
}
