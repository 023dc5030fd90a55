import { Box, Card, CardContent, Grid, Stack, Typography } from "@mui/material";
import { Show, useRecordContext } from "react-admin";
import { dateTime } from "../common/format";
import { Fact } from "../common/Fact";
import { StatusChip } from "../common/StatusChip";
import { Timeline } from "../verifications/Timeline";
import { RevokeFactorButton } from "./RevokeFactorButton";

function FactorDetail() {
  const f = useRecordContext<any>();
  if (!f) return null;
  return (
    <Box sx={{ p: 2 }}>
      <Card variant="outlined" sx={{ mb: 2 }}>
        <CardContent>
          <Grid container spacing={2}>
            <Fact label="Subject"><span data-testid="subject">{f.subject}</span></Fact>
            <Fact label="Status"><Stack direction="row" spacing={1} sx={{ alignItems: "center" }}><StatusChip status={f.status} /><RevokeFactorButton factor={f} /></Stack></Fact>
            <Fact label="App">{f.appName}</Fact>
            <Fact label="Label">{f.label ?? "—"}</Fact>
            <Fact label="Enrolled">{dateTime(f.createdAt)}</Fact>
            <Fact label="Verified">{dateTime(f.verifiedAt)}</Fact>
            <Fact label="Last used">{dateTime(f.lastUsedAt)}</Fact>
            <Fact label="Failures (24 h)">{f.failuresDay} of {f.attemptsDay} checks</Fact>
          </Grid>
        </CardContent>
      </Card>
      <Typography variant="h6" gutterBottom>Timeline</Typography>
      <Timeline entries={f.timeline ?? []} />
    </Box>
  );
}

function FactorTitle() {
  const f = useRecordContext<any>();
  return <span>{f ? `Authenticator of ${f.subject} · ${f.appName}` : "Authenticator"}</span>;
}

/** One end user's authenticator: its state, and every code check with its outcome and client IP. */
export function TotpFactorShow() {
  return (
    <Show title={<FactorTitle />}>
      <FactorDetail />
    </Show>
  );
}
