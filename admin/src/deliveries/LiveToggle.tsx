import { useEffect, useRef, useState } from "react";
import { Chip, FormControlLabel, Stack, Switch, Typography } from "@mui/material";
import { useRefresh } from "react-admin";
import { subscribeDeliveryLog, type DeliveryLogEvent } from "../live";
import { time } from "../common/format";

/**
 * Live delivery log: while on, every status change the gateway publishes refreshes the list
 * (at most twice a second) and the latest event is shown, so a failing vendor is visible as it happens.
 */
export function LiveToggle() {
  const [on, setOn] = useState(true);
  const [last, setLast] = useState<DeliveryLogEvent | null>(null);
  const [count, setCount] = useState(0);
  const refresh = useRefresh();
  const pending = useRef<number | null>(null);
  useEffect(() => {
    if (!on) return;
    const stop = subscribeDeliveryLog(
      (e) => {
        setLast(e);
        setCount((n) => n + 1);
        pending.current ??= window.setTimeout(() => {
          pending.current = null;
          refresh();
        }, 500);
      },
      () => setOn(false),
    );
    return () => {
      stop();
      if (pending.current) window.clearTimeout(pending.current);
      pending.current = null;
    };
  }, [on, refresh]);
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: "center", px: 1 }}>
      <FormControlLabel control={<Switch checked={on} onChange={(e) => setOn(e.target.checked)} />} label="Live" />
      {on && <Chip size="small" color="success" variant="outlined" label={`${count} event${count === 1 ? "" : "s"}`} data-testid="live-count" />}
      {last && (
        <Typography variant="caption" color="text.secondary">
          {time(last.at)} · {last.provider} {last.channel} → {last.status}{last.errorCode ? ` (${last.errorCode})` : ""}
        </Typography>
      )}
    </Stack>
  );
}
