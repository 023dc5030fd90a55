import { Typography } from "@mui/material";
import { FunctionField, NumberField, Show, SimpleShowLayout, TextField, useRecordContext } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { KeyTable } from "./KeyTable";
import { LimitOverrides } from "./LimitOverrides";
import { SafelistTable } from "./SafelistTable";
import { WebhookTable } from "./WebhookTable";

/** "App: Shop", as the staff page says "Staff: <e-mail>" (react-admin's default ran the menu label into the name). */
function AppTitle() {
  const app = useRecordContext<{ name: string }>();
  return <span data-testid="app-title">{app ? `App: ${app.name}` : "App"}</span>;
}

/** An app's settings and its keys (ADMIN only). */
export function AppShow() {
  return (
    <Show title={<AppTitle />}>
      <SimpleShowLayout>
        <TextField source="name" />
        <TextField source="id" label="App id" />
        <NumberField source="codeLength" />
        <NumberField source="ttlSeconds" label="Validity (s)" />
        <NumberField source="maxAttempts" />
        <NumberField source="resendCooldownSeconds" label="Resend cooldown (s)" />
        <NumberField source="maxSends" label="Sends per destination per 10 min" />
        <FunctionField label="Hourly budget" render={(r: any) => r.hourlyBudget ?? "no cap"} />
        <FunctionField label="Countries" render={(r: any) => (r.countries.length ? r.countries.join(", ") : "all")} />
        <FunctionField label="Fallback channel" render={(r: any) => r.fallbackChannel ?? "none"} />
        <TextField source="clientIpHint" label="Requests without clientIp (24 h)" />
        <FunctionField label="Voice countries" render={(r: any) => (r.voiceCountries.length ? r.voiceCountries.join(", ") : "as above")} />
        <FunctionField label="Test destinations" render={(r: any) => (r.testDestinations.length ? r.testDestinations.map((t: any) => `${t.destination} → ${t.outcome}`).join(", ") : "none")} />
        <FunctionField label="SIM-swap check" render={(r: any) => (r.simSwap ? `${r.simSwap.action}, SIM changed within ${r.simSwap.maxAgeHours} h` : "off")} />
        <FunctionField label="Abuse limits" render={(r: any) => <LimitOverrides json={r.limits} />} />
        <DateTimeField source="updatedAt" label="Updated" />
        <Typography variant="h6">API keys</Typography>
        <KeyTable />
        <Typography variant="h6">Safe list</Typography>
        <SafelistTable />
        <Typography variant="h6">Webhooks</Typography>
        <WebhookTable />
      </SimpleShowLayout>
    </Show>
  );
}
