import { useState } from "react";
import { Create, useRedirect } from "react-admin";
import { AppForm } from "./AppForm";
import { NewKeyDialog } from "./NewKeyDialog";

/** Creating an app answers its first API key once; the dialog shows it, then the app's page opens. */
export function AppCreate() {
  const [created, setCreated] = useState<{ id: string; apiKey: string } | null>(null);
  const redirect = useRedirect();
  return (
    <>
      <Create mutationOptions={{ onSuccess: (data: any) => setCreated({ id: data.id, apiKey: data.apiKey }) }} record={{ codeLength: 6, ttlSeconds: 300, maxAttempts: 5, resendCooldownSeconds: 30, maxSends: 5, defaultLocale: "en" }}>
        <AppForm />
      </Create>
      <NewKeyDialog apiKey={created?.apiKey ?? null} onClose={() => { const id = created!.id; setCreated(null); redirect("show", "apps", id); }} />
    </>
  );
}
