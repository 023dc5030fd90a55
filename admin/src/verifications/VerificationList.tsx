import { Datagrid, DateInput, FunctionField, List, SearchInput, SelectInput, TextField, TextInput } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { AppFilterInput } from "../common/AppFilterInput";
import { VERIFICATION_STATUSES } from "../common/choices";
import { ChannelInput } from "../common/ChannelInput";
import { StatusChip } from "../common/StatusChip";

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Phone number or e-mail, any format" sx={{ minWidth: 340 }} />,
  <AppFilterInput key="app" source="appId" />,
  <SelectInput key="status" source="status" choices={VERIFICATION_STATUSES} />,
  <ChannelInput key="channel" source="channel" />,
  <TextInput key="country" source="country" label="Country (US, GB…)" />,
  <DateInput key="from" source="from" label="From" />,
  <DateInput key="to" source="to" label="To" />,
];

/** Support's first stop: type the number the way the customer says it; the server normalizes it. */
export function VerificationList() {
  return (
    <List empty={false} filters={filters} sort={{ field: "createdAt", order: "DESC" }} perPage={25} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <DateTimeField source="createdAt" label="Requested" />
        <TextField source="appName" label="App" sortBy="appName" />
        <TextField source="channel" />
        <TextField source="destination" sortable={false} />
        <TextField source="country" />
        <FunctionField label="Status" sortBy="status" render={(r: any) => <StatusChip status={r.status} />} />
        <FunctionField label="Last delivery" sortable={false} render={(r: any) => (r.lastProvider ? <span>{r.lastProvider} · <StatusChip status={r.lastDeliveryStatus} /></span> : "—")} />
        <FunctionField label="Error" sortable={false} render={(r: any) => (r.lastErrorCode ? <code>{r.lastErrorCode}</code> : "")} />
      </Datagrid>
    </List>
  );
}
