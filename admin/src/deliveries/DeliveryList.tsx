import { Tooltip } from "@mui/material";
import { Datagrid, DateInput, FilterButton, FunctionField, List, NumberField, SelectInput, TextField, TextInput, TopToolbar } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { AppFilterInput } from "../common/AppFilterInput";
import { DELIVERY_STATUSES, OUTCOMES } from "../common/choices";
import { ChannelInput } from "../common/ChannelInput";
import { StatusChip } from "../common/StatusChip";
import { LiveToggle } from "./LiveToggle";

const filters = [
  <TextInput key="provider" source="provider" label="Provider" alwaysOn />,
  <ChannelInput key="channel" source="channel" />,
  <SelectInput key="outcome" source="outcome" label="Hand-off" choices={OUTCOMES} />,
  <SelectInput key="deliveryStatus" source="deliveryStatus" label="Delivery status" choices={DELIVERY_STATUSES} />,
  <TextInput key="errorCode" source="errorCode" label="Error code" />,
  <TextInput key="country" source="country" label="Country" />,
  <AppFilterInput key="app" source="appId" />,
  <DateInput key="from" source="from" label="From" />,
  <DateInput key="to" source="to" label="To" />,
];

// The hand-off's outcome in its own words: "SENT" there beside the delivery status "SENT" read as
// the same fact twice; the vendor accepting a message is not the phone receiving it.
const HAND_OFF: Record<string, string> = { SENT: "accepted", RETRY: "refused, retried", FAILED: "refused" };

const Actions = () => (
  <TopToolbar sx={{ alignItems: "center" }}>
    <LiveToggle />
    <FilterButton />
  </TopToolbar>
);

/** Every hand-off to a vendor, newest first; a row opens its verification's timeline. */
export function DeliveryList() {
  return (
    <List empty={false} filters={filters} actions={<Actions />} sort={{ field: "at", order: "DESC" }} perPage={50} exporter={false}>
      <Datagrid rowClick={(_id, _resource, r: any) => `/verifications/${r.verificationId}/show`} bulkActionButtons={false}>
        <DateTimeField source="at" label="Time" />
        <TextField source="provider" />
        {/* "RCS → SMS": the vendor sent it on another channel itself (Twilio's SMS fallback for a device without RCS). */}
        <FunctionField label="Channel" sortable={false} render={(r: any) => (r.sentAs && r.sentAs !== r.channel ? `${r.channel} → ${r.sentAs}` : r.channel)} />
        <FunctionField label="Hand-off" sortBy="outcome" render={(r: any) => <StatusChip status={r.outcome} label={HAND_OFF[r.outcome]} />} />
        <FunctionField label="Delivery" sortable={false} render={(r: any) => <StatusChip status={r.deliveryStatus} />} />
        <FunctionField label="Error" sortBy="errorCode" render={(r: any) => (r.errorCode ? (
          <Tooltip title={r.errorExplanation ?? r.errorMessage ?? ""}><code>{r.errorCode}</code></Tooltip>
        ) : "")} />
        <NumberField source="latencyMs" label="Latency (ms)" />
        <TextField source="destination" sortable={false} />
        <TextField source="country" />
        <TextField source="appName" label="App" sortable={false} />
      </Datagrid>
    </List>
  );
}
