import PhonelinkEraseIcon from "@mui/icons-material/PhonelinkErase";
import { useAdminData, useRole } from "../common/hooks";
import { ReasonActionButton } from "../common/ReasonActionButton";

/** ADMIN only (the server enforces it): revokes a lost or compromised authenticator, with a reason for the audit log. */
export function RevokeFactorButton({ factor }: { factor: { id: string; subject: string; status: string } }) {
  const dp = useAdminData();
  if (useRole() !== "ADMIN" || factor.status === "REVOKED") return null;
  return (
    <ReasonActionButton label="Revoke" icon={<PhonelinkEraseIcon />} color="error" variant="outlined"
      title={`Revoke this authenticator of ${factor.subject}`}
      text="Its codes stop working at once and its secret is erased; the user enrols a new authenticator through the app. Your reason is recorded in the audit log."
      confirm="Revoke factor" done="Factor revoked" action={(reason) => dp.revokeTotpFactor(factor.id, reason)} />
  );
}
