import LockOpenIcon from "@mui/icons-material/LockOpen";
import { useRecordContext } from "react-admin";
import { useAdminData, useRole } from "../common/hooks";
import { ReasonActionButton } from "../common/ReasonActionButton";

/**
 * Lifts an active block with a reason (audited); the customer can try again at once. The money
 * and brute-force guards (liftNeedsAdmin) are ADMIN's: SUPPORT gets no button (the API refuses anyway).
 */
export function LiftButton() {
  const block = useRecordContext<any>();
  const dp = useAdminData();
  const role = useRole();
  if (!block?.active || (block.liftNeedsAdmin && role !== "ADMIN")) return null;
  return (
    <ReasonActionButton label="Lift" icon={<LockOpenIcon />}
      title={`Lift the ${block.rule} block on ${block.key}`}
      text="The limit's counter is reset and the key can be used again right away. Your reason is recorded in the audit log."
      confirm="Lift block" done="Block lifted" action={(reason) => dp.liftBlock(block.id, reason)} />
  );
}
