import { useState } from "react";
import { Button, Stack, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";
import { Confirm, useNotify, useRecordContext, useRefresh } from "react-admin";
import { dateTime } from "../common/format";
import { useAdminData } from "../common/hooks";
import { StatusChip } from "../common/StatusChip";
import { NewKeyDialog } from "./NewKeyDialog";

type KeyAction = { action: "add" } | { action: "revoke"; keyId: string } | { action: "revokeOlder" } | { action: "revokeAll" };

const CONFIRM: Record<KeyAction["action"], { title: string; content: string }> = {
  add: { title: "Add a key?", content: "A new key is issued and shown once; the app's other keys keep working until you revoke them." },
  revoke: { title: "Revoke this key?", content: "Requests with this key will be refused immediately." },
  revokeOlder: { title: "Revoke the older keys?", content: "Every key but the newest is refused from now on: finish a rotation once the app uses the new key." },
  revokeAll: { title: "Revoke every key?", content: "The app's requests are all refused until a new key is added (for a leaked key)." },
};

/**
 * An app's keys, rotated the way the CLI does it: add a key (older ones keep working), deploy
 * it, then revoke the older keys — never a step that locks the app out by surprise. Only a
 * key's public id is ever shown.
 */
export function KeyTable() {
  const app = useRecordContext<any>();
  const dp = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  const [newKey, setNewKey] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<KeyAction | null>(null);
  if (!app) return null;
  const live = app.keys.filter((k: any) => !k.revokedAt).length;
  const run = async () => {
    const c = confirm!;
    setConfirm(null);
    try {
      if (c.action === "add") setNewKey((await dp.addKey(app.id)).apiKey);
      else if (c.action === "revoke") await dp.revokeKey(app.id, c.keyId);
      else await dp.revokeKeys(app.id, c.action === "revokeAll");
      if (c.action !== "add") notify(c.action === "revoke" ? "Key revoked" : "Keys revoked", { type: "success" });
      refresh();
    } catch (e) {
      notify((e as Error).message, { type: "error" });
    }
  };
  return (
    <>
      <Stack direction="row" spacing={1} sx={{ mb: 1 }}>
        <Button size="small" variant="outlined" onClick={() => setConfirm({ action: "add" })}>Add key</Button>
        <Button size="small" disabled={live < 2} onClick={() => setConfirm({ action: "revokeOlder" })}>Revoke older keys</Button>
        <Button size="small" color="error" disabled={live < 1} onClick={() => setConfirm({ action: "revokeAll" })}>Revoke all keys</Button>
      </Stack>
      <Table size="small" data-testid="keys">
        <TableHead><TableRow><TableCell>Key</TableCell><TableCell>Created</TableCell><TableCell>State</TableCell><TableCell /></TableRow></TableHead>
        <TableBody>
          {app.keys.map((k: any) => (
            <TableRow key={k.id}>
              <TableCell><code>{k.hint}</code></TableCell>
              <TableCell>{dateTime(k.createdAt)}</TableCell>
              <TableCell>{k.revokedAt ? <StatusChip status="CANCELED" label={`revoked ${dateTime(k.revokedAt)}`} /> : <StatusChip status="APPROVED" label="live" />}</TableCell>
              <TableCell align="right">
                {!k.revokedAt && <Button size="small" color="error" onClick={() => setConfirm({ action: "revoke", keyId: k.id })}>Revoke</Button>}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Confirm isOpen={Boolean(confirm)} title={confirm ? CONFIRM[confirm.action].title : ""} content={confirm ? CONFIRM[confirm.action].content : ""}
        onConfirm={() => void run()} onClose={() => setConfirm(null)} />
      <NewKeyDialog apiKey={newKey} onClose={() => setNewKey(null)} />
    </>
  );
}
