import { useState } from "react";
import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from "@mui/material";
import { useLogin, useNotify } from "react-admin";
import { SecondFactorNeeded } from "../authProvider";

/**
 * E-mail and password, then — when the account has one, or an ADMIN must enroll one — the
 * authenticator code. Enrollment shows the otpauth:// URI (and its secret) to add to an app.
 */
export function LoginPage() {
  const login = useLogin();
  const notify = useNotify();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [step, setStep] = useState<SecondFactorNeeded | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await login({ email, password, totpCode: step ? totpCode : undefined });
    } catch (err) {
      if (err instanceof SecondFactorNeeded) setStep(err);
      else notify((err as Error)?.message ?? "Sign-in failed", { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  const secret = step?.setupUri ? new URL(step.setupUri).searchParams.get("secret") : null;

  return (
    <Box sx={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", bgcolor: "grey.100" }}>
      <Card sx={{ width: 400 }}>
        <CardContent>
          <Typography variant="h5" gutterBottom>OTP Gateway</Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>Support dashboard — sign in</Typography>
          <form onSubmit={(e) => void submit(e)}>
            <Stack spacing={2}>
              <TextField label="E-mail" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required disabled={Boolean(step)} />
              <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required disabled={Boolean(step)} />
              {step && (
                <>
                  <Alert severity="info">{step.message}</Alert>
                  {step.setupUri && (
                    <Box sx={{ fontSize: 12, wordBreak: "break-all" }}>
                      Add this account to your authenticator app: <code>{step.setupUri}</code>
                      {secret && <> (secret <code>{secret}</code>)</>}
                    </Box>
                  )}
                  <TextField label="Authenticator code" name="totpCode" autoComplete="one-time-code" inputMode="numeric" value={totpCode} onChange={(e) => setTotpCode(e.target.value)} required autoFocus />
                </>
              )}
              <Button type="submit" variant="contained" disabled={busy}>{step ? "Verify" : "Sign in"}</Button>
            </Stack>
          </form>
        </CardContent>
      </Card>
    </Box>
  );
}
