import { Datagrid, FunctionField, List, SelectInput, TextField, TextInput } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { AppFilterInput } from "../common/AppFilterInput";
import { FACTOR_STATUSES } from "../common/choices";
import { StatusChip } from "../common/StatusChip";
import { useRole } from "../common/hooks";

/** SUPPORT sees subjects masked and finds one only by the whole of it; ADMIN also by its start. */
const filtersFor = (admin: boolean) => [
  <AppFilterInput key="app" source="appId" alwaysOn />,
  <TextInput key="subject" source="subject" label={admin ? "Subject (the app's user id, or its start)" : "Subject (the app's whole user id)"} alwaysOn resettable sx={{ minWidth: 300 }} />,
  <SelectInput key="status" source="status" choices={FACTOR_STATUSES} />,
];

/** Authenticator apps registered for apps' users: find one by the app and the user id the app gave the gateway. */
export function TotpFactorList() {
  const admin = useRole() === "ADMIN";
  return (
    <List empty={false} filters={filtersFor(admin)} sort={{ field: "createdAt", order: "DESC" }} perPage={25} exporter={false}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <DateTimeField source="createdAt" label="Enrolled" />
        <TextField source="appName" label="App" sortable={false} />
        <TextField source="subject" sortable={admin} />
        <TextField source="label" sortable={false} emptyText="—" />
        <FunctionField label="Status" sortBy="status" render={(r: any) => <StatusChip status={r.status} />} />
        <DateTimeField source="verifiedAt" label="Verified" emptyText="—" />
        <DateTimeField source="lastUsedAt" label="Last used" emptyText="—" />
        <FunctionField label="Last check" sortable={false} render={(r: any) => (r.lastAttemptOutcome ? <StatusChip status={r.lastAttemptOutcome} /> : "—")} />
        <FunctionField label="Failures (24 h)" sortable={false} render={(r: any) => `${r.failuresDay} of ${r.attemptsDay}`} />
      </Datagrid>
    </List>
  );
}
