import { useState } from "react";
import { Alert, Box, Button, Stack, TextField } from "@mui/material";
import { gql } from "../graphql";

const BEGIN = `mutation($token: String!, $email: String!, $password: String!) { beginTotpEnrolment(token: $token, email: $email, password: $password) { uri qrCodeSvg } }`;
const FINISH = `mutation($token: String!, $email: String!, $password: String!, $code: String!) {
  finishTotpEnrolment(token: $token, email: $email, password: $password, code: $code) { status } }`;

/** The enrolment link's token, from the dashboard URL's fragment (#/login?enrol=…), which never reaches a server log. */
export function enrolmentToken(): string | null {
  return new URLSearchParams(window.location.hash.split("?")[1] ?? "").get("enrol");
}

/**
 * Redeeming an enrolment link an ADMIN issued: the person's e-mail and password, then the
 * authenticator secret to scan (QR code, or the secret typed in), then its first code — which
 * signs them in.
 */
export function EnrolmentForm({ token }: { token: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [setup, setSetup] = useState<{ uri: string; qrCodeSvg: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (!setup) setSetup((await gql(BEGIN, { token, email, password })).beginTotpEnrolment);
      else {
        await gql(FINISH, { token, email, password, code });
        // Signed in (the answer set the session cookie): into the dashboard, without the token in the address bar.
        window.location.replace(window.location.pathname + "#/");
        window.location.reload();
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const secret = setup ? new URL(setup.uri).searchParams.get("secret") : null;

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="enrolment-form">
      <Stack spacing={2}>
        <Alert severity="info">{setup ? "Scan this with your authenticator app, then enter the code it shows." : "Set up your authenticator app: first sign in with your e-mail address and password."}</Alert>
        {error && <Alert severity="error">{error}</Alert>}
        <TextField label="E-mail" name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required disabled={Boolean(setup)} />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required disabled={Boolean(setup)} />
        {setup && (
          <>
            {/* The SVG is the gateway's own rendering of the otpauth:// URI (qrcode), not user content. */}
            <Box sx={{ width: 200, alignSelf: "center" }} data-testid="enrolment-qr" dangerouslySetInnerHTML={{ __html: setup.qrCodeSvg }} />
            <Box sx={{ fontSize: 12, wordBreak: "break-all" }}>Or type the secret: <code data-testid="enrolment-secret">{secret}</code></Box>
            <TextField label="Authenticator code" name="code" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
          </>
        )}
        <Button type="submit" variant="contained" disabled={busy}>{setup ? "Finish and sign in" : "Continue"}</Button>
      </Stack>
    </form>
  );
}
