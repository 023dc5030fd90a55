import { useState } from "react";
import { Button, Collapse, Stack, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Confirm, useNotify, useRecordContext } from "react-admin";
import { dateTime } from "../common/format";
import { StatusChip } from "../common/StatusChip";
import { AddWebhookDialog } from "./AddWebhookDialog";
import { WebhookMessages } from "./WebhookMessages";
import { webhooksApi } from "./webhooks-api";

/** An app's webhook endpoints: add (secret shown once), remove, resume a paused one, and each one's recent deliveries. */
export function WebhookTable() {
  const app = useRecordContext<any>();
  const notify = useNotify();
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const { data, refetch } = useQuery({ queryKey: ["webhookEndpoints", app?.id], queryFn: () => webhooksApi.endpoints(app!.id), enabled: Boolean(app) });
  if (!app) return null;
  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      notify(done, { type: "success" });
      await refetch();
    } catch (e) {
      notify((e as Error).message, { type: "error" });
    }
  };
  return (
    <>
      <Table size="small" data-testid="webhooks">
        <TableHead><TableRow><TableCell>URL</TableCell><TableCell>Events</TableCell><TableCell>State</TableCell><TableCell>Added</TableCell><TableCell /></TableRow></TableHead>
        <TableBody>
          {(data ?? []).flatMap((e) => [
            <TableRow key={e.id} data-testid="webhook-endpoint">
              <TableCell><code>{e.url}</code></TableCell>
              <TableCell>{e.events?.join(", ") ?? "all"}</TableCell>
              <TableCell>
                {e.status === "PAUSED" ? <StatusChip status="FAILED" label={`paused ${dateTime(e.pausedAt)}`} /> : <StatusChip status="APPROVED" label="active" />}
                {e.consecutiveFailures > 0 && <span> {e.consecutiveFailures} failures in a row</span>}
              </TableCell>
              <TableCell>{dateTime(e.createdAt)}</TableCell>
              <TableCell align="right">
                <Stack direction="row" spacing={1} sx={{ justifyContent: "flex-end" }}>
                  <Button size="small" onClick={() => setOpen(open === e.id ? null : e.id)}>Deliveries</Button>
                  {e.status === "PAUSED" && <Button size="small" onClick={() => void act(() => webhooksApi.resume(app.id, e.id), "Resumed")}>Resume</Button>}
                  <Button size="small" color="error" onClick={() => setRemoving(e.id)}>Remove</Button>
                </Stack>
              </TableCell>
            </TableRow>,
            <TableRow key={`${e.id}-messages`}>
              <TableCell colSpan={5} sx={{ p: open === e.id ? 1 : 0, borderBottom: open === e.id ? undefined : "none" }}>
                <Collapse in={open === e.id} unmountOnExit><WebhookMessages appId={app.id} endpointId={e.id} /></Collapse>
              </TableCell>
            </TableRow>,
          ])}
        </TableBody>
      </Table>
      <Button size="small" onClick={() => setAdding(true)} data-testid="webhook-new">Add endpoint</Button>
      <AddWebhookDialog appId={app.id} open={adding} onClose={(added) => { setAdding(false); if (added) void refetch(); }} />
      <Confirm isOpen={Boolean(removing)} title="Remove this endpoint?" content="Events not yet delivered to it are dropped."
        onConfirm={() => { const id = removing!; setRemoving(null); void act(() => webhooksApi.remove(app.id, id), "Endpoint removed"); }}
        onClose={() => setRemoving(null)} />
    </>
  );
}
