import { ArrayInput, NumberInput, SaveButton, SelectInput, SimpleForm, SimpleFormIterator, TextInput, Toolbar, required } from "react-admin";
import { Typography } from "@mui/material";
import { ChannelInput } from "../common/ChannelInput";

const SIM_SWAP_ACTIONS = [
  { id: "flag", name: "Flag: send the code, mark the verification and its token" },
  { id: "refuse", name: "Refuse: no code (FORBIDDEN, reason SIM_SWAP)" },
];
const OUTCOMES = ["DELIVERED", "FAILED", "UNDELIVERED"].map((id) => ({ id, name: id }));

const list = {
  format: (v: string[] | null | undefined) => (v ?? []).join(", "),
  parse: (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean),
};

/** An app's settings: the name shown in messages, the contract's limits, allowed countries, and the channel extras. */
/** Apps are never deleted from the dashboard (revoke their keys instead): the toolbar only saves. */
const SaveOnly = () => <Toolbar><SaveButton /></Toolbar>;

export function AppForm() {
  return (
    <SimpleForm toolbar={<SaveOnly />}>
      <TextInput source="name" validate={required()} helperText="Shown in the messages (“123456 is your Shop code”)" />
      <Typography variant="subtitle2" sx={{ mt: 1 }}>Limits</Typography>
      <NumberInput source="codeLength" label="Code length (4–10)" min={4} max={10} />
      <NumberInput source="ttlSeconds" label="Validity (seconds)" min={1} max={86400} />
      <NumberInput source="maxAttempts" label="Verify attempts" min={1} max={20} />
      <NumberInput source="resendCooldownSeconds" label="Resend cooldown (seconds)" min={0} max={3600} />
      <NumberInput source="maxSends" label="Sends per destination per 10 minutes" min={1} max={1000} />
      <NumberInput source="hourlyBudget" label="Sends per hour for the whole app (empty: no cap)" min={0} />
      <Typography variant="subtitle2" sx={{ mt: 1 }}>Destinations and channels</Typography>
      <TextInput source="countries" label="Allowed countries (e.g. US, GB; empty: all)" {...list} />
      <ChannelInput source="fallbackChannel" label="Fallback channel" emptyText="None" />
      <TextInput source="voiceCountries" label="Countries for VOICE, when they differ (e.g. US)" {...list} />
      <ArrayInput source="testDestinations" label="Test destinations (fixed code, never sent to a vendor)">
        <SimpleFormIterator inline disableReordering>
          <TextInput source="destination" label="Destination" helperText={false} />
          <TextInput source="code" label="Fixed code" helperText={false} />
          <SelectInput source="outcome" label="Plays back" choices={OUTCOMES} emptyText="DELIVERED" helperText={false} />
        </SimpleFormIterator>
      </ArrayInput>
      <Typography variant="subtitle2" sx={{ mt: 1 }}>Abuse limits</Typography>
      <TextInput source="limits" label="Overrides of the default limits (JSON)" multiline minRows={2} fullWidth
        helperText='e.g. {"sendsPerIp": {"max": 20, "windowSeconds": 3600}}; {} keeps the defaults' />
      <Typography variant="subtitle2" sx={{ mt: 1 }}>SIM-swap check (phone channels)</Typography>
      <SelectInput source="simSwap.action" label="When the SIM changed recently" choices={SIM_SWAP_ACTIONS} emptyText="Off: no check"
        helperText="Checked with the operator (CAMARA SIM Swap) before each phone code; needs SIM_SWAP_* on the server" />
      <NumberInput source="simSwap.maxAgeHours" label="Recently = within (hours, 1–2400)" min={1} max={2400} defaultValue={24} />
      <TextInput source="defaultLocale" label="Default locale" />
      <TextInput source="smsAppHash" label="Android SMS Retriever app hash" />
      <TextInput source="webOtpDomain" label="WebOTP domain" />
    </SimpleForm>
  );
}
