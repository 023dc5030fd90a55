import { useState } from "react";
import PhonelinkEraseIcon from "@mui/icons-material/PhonelinkErase";
import { Button } from "@mui/material";
import { useNotify, useRefresh } from "react-admin";
import { useAdminData, useRole } from "../common/hooks";
import { ReasonDialog } from "../common/ReasonDialog";

/** ADMIN only (the server enforces it): revokes a lost or compromised authenticator, with a reason for the audit log. */
export function RevokeFactorButton({ factor }: { factor: { id: string; subject: string; status: string } }) {
  const [open, setOpen] = useState(false);
  const dp = useAdminData();
  const notify = useNotify();
  const refresh = useRefresh();
  if (useRole() !== "ADMIN" || factor.status === "REVOKED") return null;
  return (
    <>
      <Button color="error" variant="outlined" size="small" startIcon={<PhonelinkEraseIcon />} onClick={() => setOpen(true)}>Revoke</Button>
      <ReasonDialog open={open} onClose={() => setOpen(false)} title={`Revoke this authenticator of ${factor.subject}`}
        text="Its codes stop working at once and its secret is erased; the user enrols a new authenticator through the app. Your reason is recorded in the audit log."
        confirm="Revoke factor"
        onConfirm={async (reason) => {
          try {
            await dp.revokeTotpFactor(factor.id, reason);
            notify("Factor revoked", { type: "success" });
            setOpen(false);
            refresh();
          } catch (e) {
            notify((e as Error).message, { type: "error" });
          }
        }} />
    </>
  );
}
