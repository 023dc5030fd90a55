import { useState } from "react";
import { Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, TextField } from "@mui/material";

/** Asks why before an audited action (revealing a number, lifting a block); the reason goes to the audit log. */
export function ReasonDialog(props: { open: boolean; title: string; text: string; confirm: string; onClose(): void; onConfirm(reason: string): Promise<void> }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await props.onConfirm(reason.trim());
      setReason("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{props.text}</DialogContentText>
        <TextField autoFocus fullWidth label="Reason (recorded in the audit log)" name="reason" value={reason} onChange={(e) => setReason(e.target.value)}
          onKeyDown={(e) => { if (e.key === "Enter" && reason.trim().length >= 3) void submit(); }} />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button variant="contained" disabled={busy || reason.trim().length < 3} onClick={() => void submit()}>{props.confirm}</Button>
      </DialogActions>
    </Dialog>
  );
}
