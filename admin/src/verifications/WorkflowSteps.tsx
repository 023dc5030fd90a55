import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { dateTime } from "../common/format";
import { StatusChip } from "../common/StatusChip";

export interface WorkflowStep {
  position: number; channel: string; destination: string; status: string; afterSeconds: number;
  startsAt?: string | null; startedAt?: string | null; endedAt?: string | null; reason?: string | null; deliveryId?: string | null;
}

/**
 * A verification's workflow (requestOtp `next`): each step's channel and destination (masked for
 * SUPPORT by the server), where it is, and why it started — or why it never did. Nothing for a
 * verification of one channel.
 */
export function WorkflowSteps({ steps }: { steps: WorkflowStep[] }) {
  if (!steps.length) return null;
  return (
    <Box sx={{ mb: 2 }} data-testid="workflow-steps">
      <Typography variant="h6" gutterBottom>Workflow</Typography>
      <Table size="small">
        <TableHead>
          <TableRow>
            <TableCell>Step</TableCell><TableCell>Channel</TableCell><TableCell>To</TableCell><TableCell>Status</TableCell>
            <TableCell>After</TableCell><TableCell>Started</TableCell><TableCell>Why</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {steps.map((s) => (
            <TableRow key={s.position} data-status={s.status}>
              <TableCell>{s.position + 1}</TableCell>
              <TableCell>{s.channel}</TableCell>
              <TableCell>{s.destination}</TableCell>
              <TableCell><StatusChip status={s.status} /></TableCell>
              <TableCell>{s.position === 0 ? "—" : `${s.afterSeconds} s`}</TableCell>
              <TableCell>{s.startedAt ? dateTime(s.startedAt) : s.startsAt ? `due ${dateTime(s.startsAt)}` : "—"}</TableCell>
              <TableCell>{s.reason ?? "—"}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
