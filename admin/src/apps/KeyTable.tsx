import { useState } from "react";
import { Button, Stack, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import { Confirm, useNotify, useRecordContext, useRefresh } from "react-admin";
import { dateTime } from "../common/format";
import { useAdminData } from "../common/hooks";
import { StatusChip } from "../common/StatusChip";
import { NewKeyDialog } from "./NewKeyDialog";

/** An app's keys: rotate (a new key replaces this one at once) or revoke. Only the key's public id is ever shown. */
export function KeyTable() {
  const app = useRecordContext<any>();
  const dp = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  const [newKey, setNewKey] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ action: "rotate" | "revoke"; keyId: string } | null>(null);
  if (!app) return null;
  const run = async () => {
    const c = confirm!;
    setConfirm(null);
    try {
      if (c.action === "rotate") setNewKey((await dp.rotateKey(app.id, c.keyId)).apiKey);
      else {
        await dp.revokeKey(app.id, c.keyId);
        notify("Key revoked", { type: "success" });
      }
      refresh();
    } catch (e) {
      notify((e as Error).message, { type: "error" });
    }
  };
  return (
    <>
      <Table size="small" data-testid="keys">
        <TableHead><TableRow><TableCell>Key</TableCell><TableCell>Created</TableCell><TableCell>State</TableCell><TableCell /></TableRow></TableHead>
        <TableBody>
          {app.keys.map((k: any) => (
            <TableRow key={k.id}>
              <TableCell><code>{k.hint}</code></TableCell>
              <TableCell>{dateTime(k.createdAt)}</TableCell>
              <TableCell>{k.revokedAt ? <StatusChip status="CANCELED" label={`revoked ${dateTime(k.revokedAt)}`} /> : <StatusChip status="APPROVED" label="live" />}</TableCell>
              <TableCell align="right">
                {!k.revokedAt && (
                  <Stack sx={{ justifyContent: "flex-end" }} direction="row" spacing={1}>
                    <Button size="small" onClick={() => setConfirm({ action: "rotate", keyId: k.id })}>Rotate</Button>
                    <Button size="small" color="error" onClick={() => setConfirm({ action: "revoke", keyId: k.id })}>Revoke</Button>
                  </Stack>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Confirm isOpen={Boolean(confirm)} title={confirm?.action === "rotate" ? "Rotate this key?" : "Revoke this key?"}
        content={confirm?.action === "rotate" ? "A new key is issued and this one stops working immediately." : "Requests with this key will be refused immediately."}
        onConfirm={() => void run()} onClose={() => setConfirm(null)} />
      <NewKeyDialog apiKey={newKey} onClose={() => setNewKey(null)} />
    </>
  );
}
