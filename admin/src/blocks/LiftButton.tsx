import { useState } from "react";
import LockOpenIcon from "@mui/icons-material/LockOpen";
import { Button } from "@mui/material";
import { useNotify, useRecordContext, useRefresh } from "react-admin";
import { useAdminData } from "../common/hooks";
import { ReasonDialog } from "../common/ReasonDialog";

/** Lifts an active block with a reason (audited); the customer can try again at once. */
export function LiftButton() {
  const block = useRecordContext<any>();
  const [open, setOpen] = useState(false);
  const dp = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!block?.active) return null;
  return (
    <>
      <Button size="small" startIcon={<LockOpenIcon />} onClick={(e) => { e.stopPropagation(); setOpen(true); }}>Lift</Button>
      <ReasonDialog open={open} onClose={() => setOpen(false)} title={`Lift the ${block.rule} block on ${block.key}`}
        text="The limit's counter is reset and the key can be used again right away. Your reason is recorded in the audit log."
        confirm="Lift block"
        onConfirm={async (reason) => {
          try {
            await dp.liftBlock(block.id, reason);
            notify("Block lifted", { type: "success" });
            setOpen(false);
            refresh();
          } catch (e) {
            notify((e as Error).message, { type: "error" });
          }
        }} />
    </>
  );
}
