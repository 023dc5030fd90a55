import { dateTime } from "../common/format";
import { useState } from "react";
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from "@mui/material";
import { useNotify, useRecordContext } from "react-admin";
import { useAdminData } from "../common/hooks";

/**
 * Issues a one-time enrolment link for this person: they open it, sign in with their password,
 * scan the authenticator secret and enter its first code. Shown once; valid 24 hours; a newer
 * link revokes this one. The only way a staff member gets an authenticator.
 */
export function EnrolmentLinkButton() {
  const staff = useRecordContext<any>();
  const dp = useAdminData();
  const notify = useNotify();
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  if (!staff) return null;
  const issue = async () => {
    try {
      setLink(await dp.issueEnrolmentLink(String(staff.id)));
    } catch (e) {
      notify((e as Error).message, { type: "error" });
    }
  };
  return (
    <>
      <Button variant="outlined" onClick={() => void issue()} disabled={staff.disabled} data-testid="issue-enrolment-link">Issue enrolment link</Button>
      <Dialog open={Boolean(link)} onClose={() => setLink(null)} fullWidth maxWidth="md">
        <DialogTitle>Enrolment link for {staff.email}</DialogTitle>
        <DialogContent>
          <Alert severity="warning" sx={{ mb: 2 }}>
            Give it to {staff.email} only, over a channel you trust. It works once, until {link ? dateTime(link.expiresAt) : ""}; it replaces
            their authenticator, and it needs their password as well.
          </Alert>
          <TextField fullWidth value={link?.url ?? ""} slotProps={{ htmlInput: { readOnly: true, "data-testid": "enrolment-link", style: { fontFamily: "monospace" } } }}
            onFocus={(e) => e.target.select()} />
        </DialogContent>
        <DialogActions>
          <Button onClick={() => void navigator.clipboard?.writeText(link?.url ?? "").catch(() => undefined)}>Copy</Button>
          <Button variant="contained" onClick={() => setLink(null)}>Done</Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
