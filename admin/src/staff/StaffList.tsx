import { BooleanField, CreateButton, Datagrid, List, SearchInput, SelectInput, TextField, TopToolbar } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { ROLES } from "../common/choices";

export function StaffList() {
  return (
    <List empty={false} filters={[<SearchInput key="q" source="q" alwaysOn />, <SelectInput key="role" source="role" choices={ROLES} />]} exporter={false}
      actions={<TopToolbar><CreateButton /></TopToolbar>} sort={{ field: "email", order: "ASC" }}>
      <Datagrid rowClick="edit" bulkActionButtons={false}>
        <TextField source="email" />
        <TextField source="role" />
        <BooleanField source="totpEnabled" label="Authenticator" />
        <BooleanField source="disabled" />
        <DateTimeField source="lastLoginAt" label="Last sign-in" />
      </Datagrid>
    </List>
  );
}
