import { Datagrid, DateInput, FunctionField, List, SearchInput, SelectInput, TextField, TextInput } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { AppFilterInput } from "../common/AppFilterInput";
import { BlockDetails } from "./BlockDetails";
import { LiftButton } from "./LiftButton";
import { StatusChip } from "../common/StatusChip";

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Destination, any format" />,
  <SelectInput key="active" source="active" alwaysOn choices={[{ id: true, name: "Active" }, { id: false, name: "Lifted or expired" }]} emptyText="All" />,
  <TextInput key="rule" source="rule" />,
  <SelectInput key="shadow" source="shadow" choices={[{ id: false, name: "Enforced" }, { id: true, name: "Shadow (record_only)" }]} emptyText="Enforced and shadow" />,
  <AppFilterInput key="app" source="appId" />,
  <DateInput key="from" source="from" label="From" />,
  <DateInput key="to" source="to" label="To" />,
];

const state = (r: any) => (r.shadow ? "Shadow (nothing refused)" : r.active ? "Active" : r.liftedAt ? "Lifted" : "Expired");

/** Every rate-limit refusal: the rule, the (masked) key, how far over it was, until when; active ones can be lifted. */
export function BlockList() {
  return (
    <List empty={false} filters={filters} filterDefaultValues={{ active: true }} sort={{ field: "createdAt", order: "DESC" }} exporter={false}>
      <Datagrid bulkActionButtons={false} rowClick="expand" expand={<BlockDetails />}>
        <DateTimeField source="createdAt" label="Refused at" />
        <TextField source="rule" />
        <TextField source="key" sortable={false} />
        <TextField source="appName" label="App" sortable={false} />
        <FunctionField label="Why" sortable={false} render={(r: any) => r.summary} />
        <FunctionField label="Count" sortBy="hits" render={(r: any) => `${r.hits} / ${r.limit}${r.windowSeconds ? ` per ${Math.round(r.windowSeconds / 60)} min` : ""}`} />
        <DateTimeField source="blockedUntil" label="Until" />
        <FunctionField label="State" sortable={false} render={(r: any) => <StatusChip status={r.active ? "RETRY" : "CANCELED"} label={state(r)} />} />
        <FunctionField label="Lifted" sortable={false} render={(r: any) => (r.liftedAt ? `${r.liftedBy}: ${r.liftReason}` : "")} />
        <LiftButton />
      </Datagrid>
    </List>
  );
}
