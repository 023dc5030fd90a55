import { Alert, Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from "@mui/material";

/** A new API key, shown this once: the gateway keeps only its hash. */
export function NewKeyDialog({ apiKey, onClose }: { apiKey: string | null; onClose(): void }) {
  return (
    <Dialog open={Boolean(apiKey)} onClose={onClose} fullWidth maxWidth="md">
      <DialogTitle>New API key</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>Copy it now and store it in the app's secrets. It is shown once and can't be shown again.</Alert>
        <TextField fullWidth value={apiKey ?? ""} slotProps={{ htmlInput: { readOnly: true, "data-testid": "new-api-key", style: { fontFamily: "monospace" } } }}
          onFocus={(e) => e.target.select()} />
      </DialogContent>
      <DialogActions>
        <Button onClick={() => void navigator.clipboard?.writeText(apiKey ?? "").catch(() => undefined)}>Copy</Button>
        <Button variant="contained" onClick={onClose}>I have stored it</Button>
      </DialogActions>
    </Dialog>
  );
}
