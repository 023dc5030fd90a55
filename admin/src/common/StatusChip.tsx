import { Chip } from "@mui/material";

const COLORS: Record<string, "success" | "error" | "warning" | "info" | "default"> = {
  APPROVED: "success", DELIVERED: "success", SENT: "info", closed: "success",
  PENDING: "info", QUEUED: "default", SENDING: "info", RETRY: "warning", "half-open": "warning",
  FAILED: "error", UNDELIVERED: "error", MAX_ATTEMPTS_REACHED: "error", open: "error",
  EXPIRED: "default", CANCELED: "default", unknown: "default",
  // Authenticator factors and their code checks.
  VERIFIED: "success", UNVERIFIED: "info", REVOKED: "default", WRONG_CODE: "error", REPLAYED: "error", RATE_LIMITED: "warning",
  // Workflow steps (requestOtp `next`) and their timeline lines.
  WAITING: "default", ACTIVE: "info", DONE: "success", SKIPPED: "default", STARTED: "info",
};

/** A status word in the colour support staff scan for: red failed, green good, amber retrying. */
export function StatusChip({ status, label }: { status: string | null | undefined; label?: string }) {
  if (!status) return <>—</>;
  return <Chip size="small" color={COLORS[status] ?? "default"} label={label ?? status.replaceAll("_", " ")} variant={COLORS[status] === "default" ? "outlined" : "filled"} />;
}
