import { CreateButton, Datagrid, FunctionField, List, NumberField, SearchInput, TextField, TopToolbar } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";

export function AppList() {
  return (
    <List empty={false} filters={[<SearchInput key="q" source="q" alwaysOn />]} sort={{ field: "name", order: "ASC" }} exporter={false}
      actions={<TopToolbar><CreateButton /></TopToolbar>}>
      <Datagrid rowClick="show" bulkActionButtons={false}>
        <TextField source="name" />
        <NumberField source="maxSends" label="Sends / dest / 10 min" sortable={false} />
        <FunctionField label="Without clientIp (24 h)" sortable={false} render={(r: any) => <span title={r.clientIpHint}>{withoutClientIp(r)}</span>} />
        <FunctionField label="Countries" render={(r: any) => (r.countries.length ? r.countries.join(", ") : "all")} />
        <FunctionField label="Live keys" render={(r: any) => r.keys.filter((k: any) => !k.revokedAt).length} />
        <DateTimeField source="createdAt" />
      </Datagrid>
    </List>
  );
}

/** The share of the last 24 hours' requests without clientIp (no per-IP limit applies to them). */
export const withoutClientIp = (r: { requestsWithoutClientIp24h: number | null }) =>
  r.requestsWithoutClientIp24h === null ? "no requests" : `${Math.round(r.requestsWithoutClientIp24h * 100)} %`;
