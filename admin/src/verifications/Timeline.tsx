import { Alert, Box, Chip, Stack, Typography } from "@mui/material";
import BlockIcon from "@mui/icons-material/Block";
import CallReceivedIcon from "@mui/icons-material/CallReceived";
import FlagIcon from "@mui/icons-material/Flag";
import KeyIcon from "@mui/icons-material/Password";
import SendIcon from "@mui/icons-material/Send";
import SimCardAlertIcon from "@mui/icons-material/SimCardAlert";
import SyncIcon from "@mui/icons-material/Sync";
import StartIcon from "@mui/icons-material/PlayCircle";
import WebhookIcon from "@mui/icons-material/Webhook";
import StepIcon from "@mui/icons-material/ForwardToInbox";
import { ms, timeMs } from "../common/format";
import { StatusChip } from "../common/StatusChip";

export interface TimelineEntry {
  at: string; kind: string; summary: string; riskFactors?: string[] | null; provider?: string; channel?: string; status?: string; source?: string; messageId?: string;
  errorCode?: string; errorMessage?: string; errorExplanation?: string; latencyMs?: number; ip?: string; rule?: string; hits?: number;
  limit?: number; blockedUntil?: string; blockId?: string; liftedAt?: string; liftReason?: string; purpose?: string; locale?: string;
  appName?: string; destination?: string;
}

const ICONS: Record<string, React.ReactElement> = {
  REQUEST: <StartIcon color="primary" />, RATE_LIMIT: <BlockIcon color="warning" />, DELIVERY_ATTEMPT: <SendIcon color="action" />,
  DELIVERY_STATUS: <SyncIcon color="disabled" />, STATUS_CALLBACK: <CallReceivedIcon color="action" />, VERIFY_ATTEMPT: <KeyIcon color="action" />,
  OUTCOME: <FlagIcon color="primary" />, WEBHOOK_ATTEMPT: <WebhookIcon color="action" />, RISK_CHECK: <SimCardAlertIcon color="warning" />, STEP: <StepIcon color="primary" />,
};
const LABELS: Record<string, string> = {
  REQUEST: "Request", RATE_LIMIT: "Rate limit", DELIVERY_ATTEMPT: "Hand-off", DELIVERY_STATUS: "Status", STATUS_CALLBACK: "Provider callback",
  VERIFY_ATTEMPT: "Code check", OUTCOME: "Outcome", WEBHOOK_ATTEMPT: "Webhook", RISK_CHECK: "SIM-swap check", STEP: "Workflow step",
};
/** A kind this page doesn't know yet (a newer server) still reads as words, never as RAW_ENUM. */
const label = (kind: string) => LABELS[kind] ?? kind.charAt(0) + kind.slice(1).toLowerCase().replaceAll("_", " ");

/**
 * A webhook attempt stores the endpoint's HTTP status where a vendor attempt stores its error
 * code: a 2xx answer is the app's backend accepting the event — a success, never an error box.
 */
const webhookAccepted = (e: TimelineEntry) => e.status === "DELIVERED" || /^2\d\d$/.test(e.errorCode ?? "");

function WebhookAnswer({ e }: { e: TimelineEntry }) {
  if (webhookAccepted(e)) return e.errorCode ? <Chip size="small" color="success" variant="outlined" label={`HTTP ${e.errorCode}`} data-testid="webhook-answer" /> : null;
  // The stored error starts with the status the heading already gives ("HTTP 500: receiver says no").
  const detail = e.errorMessage?.replace(/^HTTP \d{3}:?\s*/, "");
  return (
    <Alert severity="error" sx={{ mt: 1 }} data-testid="webhook-error">
      <strong>{e.provider} {e.errorCode ? `answered HTTP ${e.errorCode}` : "did not answer"}</strong>{detail ? ` — ${detail}` : ""}
    </Alert>
  );
}

/** A verification's one timeline, as the server merged it: every row in time order, each error explained. */
export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <Stack spacing={0} data-testid="timeline">
      {entries.map((e, i) => (
        // On a phone the time gets a line of its own above the row: beside it, it left the sentences a third of the screen.
        <Box key={i} data-kind={e.kind} sx={{ display: "grid", gridTemplateColumns: { xs: "32px 1fr", sm: "110px 32px 1fr" }, columnGap: 1, rowGap: { xs: 0.25, sm: 1 }, py: 1.2, borderBottom: "1px solid", borderColor: "divider", opacity: e.kind === "DELIVERY_STATUS" ? 0.75 : 1 }}>
          <Typography variant="body2" sx={{ fontFamily: "monospace", color: "text.secondary", pt: 0.3, gridColumn: { xs: "1 / -1", sm: "auto" } }}>{timeMs(e.at)}</Typography>
          <Box sx={{ pt: 0.2 }}>{ICONS[e.kind]}</Box>
          <Box>
            <Stack direction="row" spacing={1} sx={{ alignItems: "center", flexWrap: "wrap" }}>
              <Typography variant="overline" sx={{ lineHeight: 1.6 }}>{label(e.kind)}</Typography>
              {e.status && <StatusChip status={e.status} />}
              {e.provider && <Chip size="small" variant="outlined" label={e.provider} />}
              {e.kind === "WEBHOOK_ATTEMPT" && webhookAccepted(e) && <WebhookAnswer e={e} />}
              {e.latencyMs != null && <Typography variant="caption" color="text.secondary">{ms(e.latencyMs)}</Typography>}
            </Stack>
            <Typography variant="body2">{e.summary}</Typography>
            {e.riskFactors?.length ? (
              <Box component="ul" sx={{ m: 0, pl: 2.5 }} data-testid="risk-factors">
                {e.riskFactors.map((f) => <Typography key={f} component="li" variant="caption" color="text.secondary">{f}</Typography>)}
              </Box>
            ) : null}
            {(e.messageId || e.ip || e.destination) && (
              <Typography variant="caption" color="text.secondary" component="div">
                {[
                  e.destination && <span key="to">to {e.destination}</span>,
                  e.messageId && <span key="id">message id <code>{e.messageId}</code></span>,
                  e.ip && <span key="ip">IP {e.ip}</span>,
                ].filter(Boolean).flatMap((part, i) => (i ? [" · ", part] : [part]))}
              </Typography>
            )}
            {/* The explained error sits on the hand-off or callback that carried it; status rows only repeat it in their summary. */}
            {e.kind === "WEBHOOK_ATTEMPT" && !webhookAccepted(e) && <WebhookAnswer e={e} />}
            {e.errorCode && e.kind !== "DELIVERY_STATUS" && e.kind !== "WEBHOOK_ATTEMPT" && (
              <Alert severity={e.errorExplanation ? "warning" : "error"} sx={{ mt: 1 }} data-testid="vendor-error">
                <strong>{e.provider} error {e.errorCode}</strong>{e.errorMessage ? ` — ${e.errorMessage}` : ""}
                {e.errorExplanation && <Box sx={{ mt: 0.5 }}>{e.errorExplanation}</Box>}
              </Alert>
            )}
          </Box>
        </Box>
      ))}
    </Stack>
  );
}
