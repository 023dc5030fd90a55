import { useState } from "react";
import { Box, Card, CardContent, Grid, Typography } from "@mui/material";
import { Show, useRecordContext } from "react-admin";
import { dateTime } from "../common/format";
import { Fact } from "../common/Fact";
import { StatusChip } from "../common/StatusChip";
import { RevealButton } from "./RevealButton";
import { Timeline } from "./Timeline";
import { WorkflowSteps } from "./WorkflowSteps";

/** Verification.simSwap in words: what the check before the send said. */
const SIM_SWAP: Record<string, string> = { SWAPPED: "SIM changed recently (flagged)", NOT_SWAPPED: "no recent SIM change", UNKNOWN: "no answer (sent anyway)" };

function VerificationDetail() {
  const v = useRecordContext<any>();
  const [revealed, setRevealed] = useState<string | null>(null);
  if (!v) return null;
  return (
    <Box sx={{ p: 2 }}>
      <Card variant="outlined" sx={{ mb: 2 }}>
        <CardContent>
          <Grid container spacing={2}>
            <Fact label="Destination">
              <span data-testid="destination">{revealed ?? v.destination}</span>{" "}
              {v.destinationMasked && !revealed && <RevealButton verificationId={v.id} onRevealed={setRevealed} />}
            </Fact>
            <Fact label="Status"><StatusChip status={v.status} /></Fact>
            <Fact label="App">{v.appName}</Fact>
            <Fact label="Channel">{v.channel}{v.country ? ` · ${v.country}` : ""}</Fact>
            <Fact label="Requested">{dateTime(v.createdAt)}</Fact>
            <Fact label="Code checks">{v.failedAttempts} wrong of {v.maxAttempts} allowed</Fact>
            <Fact label="Sends">{v.sendCount}</Fact>
            <Fact label="Purpose · locale">{v.purpose ?? "—"} · {v.locale}</Fact>
            {v.simSwap && <Fact label="SIM-swap check">{SIM_SWAP[v.simSwap] ?? v.simSwap}</Fact>}
          </Grid>
        </CardContent>
      </Card>
      <WorkflowSteps steps={v.steps ?? []} />
      <Typography variant="h6" gutterBottom>Timeline</Typography>
      <Timeline entries={v.timeline ?? []} />
    </Box>
  );
}

function VerificationTitle() {
  const v = useRecordContext<any>();
  return <span>{v ? `${v.channel} verification to ${v.destination} · ${v.appName}` : "Verification"}</span>;
}

/** One verification and everything that happened to it, for the agent with the customer on the line. */
export function VerificationShow() {
  return (
    <Show title={<VerificationTitle />}>
      <VerificationDetail />
    </Show>
  );
}
