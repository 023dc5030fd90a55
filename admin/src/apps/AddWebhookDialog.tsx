import { useState } from "react";
import { Alert, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, FormGroup, TextField } from "@mui/material";
import { EVENT_TYPES, webhooksApi } from "./webhooks-api";

/** Adds an endpoint; then shows its signing secret this once (the gateway keeps it sealed, never shows it again). */
export function AddWebhookDialog({ appId, open, onClose }: { appId: string; open: boolean; onClose(added: boolean): void }) {
  const [url, setUrl] = useState("");
  const [types, setTypes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const close = () => {
    const added = Boolean(secret);
    setUrl(""); setTypes([]); setError(null); setSecret(null);
    onClose(added);
  };
  const add = async () => {
    try {
      setError(null);
      setSecret((await webhooksApi.add(appId, url, types.length ? types : null)).signingSecret);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Dialog open={open} onClose={close} fullWidth maxWidth="md">
      <DialogTitle>{secret ? "Signing secret" : "Add a webhook endpoint"}</DialogTitle>
      <DialogContent>
        {secret ? (
          <>
            <Alert severity="warning" sx={{ mb: 2 }}>Copy it now into the receiver's configuration. It is shown once and can't be shown again.</Alert>
            <TextField fullWidth value={secret} slotProps={{ htmlInput: { readOnly: true, "data-testid": "webhook-secret", style: { fontFamily: "monospace" } } }}
              onFocus={(e) => e.target.select()} />
          </>
        ) : (
          <>
            {error && <Alert severity="error" sx={{ mb: 2 }} data-testid="webhook-error">{error}</Alert>}
            <TextField fullWidth label="URL" placeholder="https://example.com/otp-events" value={url} onChange={(e) => setUrl(e.target.value)}
              slotProps={{ htmlInput: { "data-testid": "webhook-url" } }} sx={{ mt: 1 }} />
            <FormGroup sx={{ mt: 2 }}>
              {EVENT_TYPES.map((t) => (
                <FormControlLabel key={t} label={t} control={
                  <Checkbox size="small" checked={types.includes(t)} onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))} />
                } />
              ))}
            </FormGroup>
            <Alert severity="info">No type ticked: the endpoint receives every event.</Alert>
          </>
        )}
      </DialogContent>
      <DialogActions>
        {secret ? (
          <Button variant="contained" onClick={close}>I have stored it</Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button variant="contained" onClick={() => void add()} data-testid="webhook-add">Add</Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
