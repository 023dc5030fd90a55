import { Alert } from "@mui/material";
import { Datagrid, List, SearchInput, TextField } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";
import { ChannelInput } from "../common/ChannelInput";

/**
 * Messages the development outbox provider kept instead of sending. They contain codes: the one
 * documented exception to "codes never reach the dashboard", off in production.
 */
export function OutboxList() {
  return (
    <>
      <Alert severity="info" sx={{ mt: 1 }}>Development only: these messages were not sent to anyone. They contain codes.</Alert>
      <List empty={false} filters={[<SearchInput key="q" source="q" alwaysOn placeholder="Recipient" />, <ChannelInput key="channel" source="channel" />]}
        sort={{ field: "createdAt", order: "DESC" }} exporter={false}>
        <Datagrid bulkActionButtons={false} rowClick={(_id, _r, rec: any) => `/verifications/${rec.verificationId}/show`}>
          <DateTimeField source="createdAt" label="Kept at" />
          <TextField source="appName" label="App" sortable={false} />
          <TextField source="channel" />
          <TextField source="recipient" sortable={false} />
          <TextField source="subject" sortable={false} />
          <TextField source="body" sortable={false} />
        </Datagrid>
      </List>
    </>
  );
}
