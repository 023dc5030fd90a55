import { useState } from "react";
import VisibilityIcon from "@mui/icons-material/Visibility";
import { Button } from "@mui/material";
import { useNotify } from "react-admin";
import { useAdminData } from "../common/hooks";
import { ReasonDialog } from "../common/ReasonDialog";

/** Shows a masked destination whole, after the agent says why (audited on the server before it answers). */
export function RevealButton({ verificationId, onRevealed }: { verificationId: string; onRevealed(destination: string): void }) {
  const [open, setOpen] = useState(false);
  const dp = useAdminData();
  const notify = useNotify();
  return (
    <>
      <Button size="small" startIcon={<VisibilityIcon />} onClick={() => setOpen(true)}>Reveal</Button>
      <ReasonDialog open={open} onClose={() => setOpen(false)} title="Reveal the whole destination"
        text="Destinations are masked to protect customers. Say why you need the whole one; your reason is recorded in the audit log."
        confirm="Reveal"
        onConfirm={async (reason) => {
          try {
            onRevealed(await dp.revealDestination(verificationId, reason));
            setOpen(false);
          } catch (e) {
            notify((e as Error).message, { type: "error" });
          }
        }} />
    </>
  );
}
