import { useState } from "react";
import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from "@mui/material";
import { useLogin, useNotify } from "react-admin";
import { SecondFactorNeeded } from "../authProvider";
import { EnrolmentForm, enrolmentToken } from "./EnrolmentForm";

/**
 * E-mail and password, then — when the account has one — the authenticator code. An ADMIN
 * without one is told to ask for an enrolment link; opening such a link (#/login?enrol=…)
 * shows the enrolment form instead.
 */
export function LoginPage() {
  const token = enrolmentToken();
  return (
    <Box sx={{ minHeight: "100vh", display: "flex", alignItems: "center", justifyContent: "center", bgcolor: "grey.100" }}>
      <Card sx={{ width: 400 }}>
        <CardContent>
          <Typography variant="h5" gutterBottom>OTP Gateway</Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>Support dashboard — {token ? "set up your authenticator" : "sign in"}</Typography>
          {token ? <EnrolmentForm token={token} /> : <SignInForm />}
        </CardContent>
      </Card>
    </Box>
  );
}

function SignInForm() {
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
      await login({ email, password, totpCode: step?.step === "TOTP_REQUIRED" ? totpCode : undefined });
    } catch (err) {
      if (err instanceof SecondFactorNeeded) setStep(err);
      else notify((err as Error)?.message ?? "Sign-in failed", { type: "error" });
    } finally {
      setBusy(false);
    }
  };
  const needsCode = step?.step === "TOTP_REQUIRED";

  return (
    <form onSubmit={(e) => void submit(e)}>
      <Stack spacing={2}>
        <TextField label="E-mail" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required disabled={needsCode} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required disabled={needsCode} />
        {step && <Alert severity={needsCode ? "info" : "warning"} data-testid="second-factor">{step.message}</Alert>}
        {needsCode && (
          <TextField label="Authenticator code" name="totpCode" autoComplete="one-time-code" inputMode="numeric" value={totpCode} onChange={(e) => setTotpCode(e.target.value)} required autoFocus />
        )}
        <Button type="submit" variant="contained" disabled={busy}>{needsCode ? "Verify" : "Sign in"}</Button>
      </Stack>
    </form>
  );
}
