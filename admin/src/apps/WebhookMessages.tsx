import { Button, Table, TableBody, TableCell, TableHead, TableRow, Tooltip } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useNotify } from "react-admin";
import { dateTime, ms } from "../common/format";
import { StatusChip } from "../common/StatusChip";
import { webhooksApi } from "./webhooks-api";

/** An endpoint's recent messages: outcome, each attempt (status code, latency, error), and a resend. */
export function WebhookMessages({ appId, endpointId }: { appId: string; endpointId: string }) {
  const notify = useNotify();
  const { data, refetch } = useQuery({ queryKey: ["webhookMessages", endpointId], queryFn: () => webhooksApi.messages(appId, endpointId), refetchInterval: 5000 });
  if (!data) return null;
  if (!data.length) return <em>No events sent to this endpoint yet.</em>;
  const resend = async (id: string) => {
    try {
      await webhooksApi.resend(appId, id);
      notify("Queued again (same webhook-id)", { type: "success" });
      await refetch();
    } catch (e) {
      notify((e as Error).message, { type: "error" });
    }
  };
  return (
    <Table size="small" data-testid="webhook-messages">
      <TableHead><TableRow><TableCell>Event</TableCell><TableCell>webhook-id</TableCell><TableCell>Created</TableCell><TableCell>Outcome</TableCell><TableCell>Attempts</TableCell><TableCell /></TableRow></TableHead>
      <TableBody>
        {data.map((m) => (
          <TableRow key={m.id} data-testid="webhook-message">
            <TableCell>{m.type}</TableCell>
            <TableCell><code>{m.eventId}</code></TableCell>
            <TableCell>{dateTime(m.createdAt)}</TableCell>
            <TableCell><StatusChip status={m.status} /></TableCell>
            <TableCell>
              {m.attemptLog.map((a: any) => (
                <Tooltip key={a.id} title={`${dateTime(a.createdAt)}${a.error ? ` — ${a.error}` : ""}`}>
                  <span style={{ marginRight: 8 }}>{a.statusCode ?? "—"} · {ms(a.latencyMs)}</span>
                </Tooltip>
              ))}
            </TableCell>
            <TableCell align="right"><Button size="small" onClick={() => void resend(m.id)}>Resend</Button></TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
