import { Box, Grid, Typography } from "@mui/material";
import { Datagrid, DateInput, List, TextField, TextInput, useRecordContext } from "react-admin";
import { DateTimeField } from "../common/DateTimeField";

const pretty = (json: string | null) => (json ? JSON.stringify(JSON.parse(json), null, 2) : "—");

function BeforeAfter() {
  const r = useRecordContext<any>();
  if (!r) return null;
  return (
    <Grid container spacing={2} sx={{ p: 1 }}>
      {(["before", "after"] as const).map((k) => (
        <Grid key={k} size={{ xs: 12, md: 6 }}>
          <Typography variant="overline">{k}</Typography>
          <Box component="pre" sx={{ m: 0, p: 1, bgcolor: "action.hover", fontSize: 12, overflow: "auto" }}>{pretty(r[k])}</Box>
        </Grid>
      ))}
    </Grid>
  );
}

const filters = [
  <TextInput key="actor" source="actor" label="Who" alwaysOn />,
  <TextInput key="action" source="action" label="Action (e.g. block.lift)" />,
  <TextInput key="targetId" source="targetId" label="Target id" />,
  <DateInput key="from" source="from" label="From" />,
  <DateInput key="to" source="to" label="To" />,
];

/** Every staff action — who, when, what, before and after. The table only grows. */
export function AuditList() {
  return (
    <List empty={false} filters={filters} sort={{ field: "at", order: "DESC" }} exporter={false}>
      <Datagrid expand={<BeforeAfter />} bulkActionButtons={false} rowClick="expand">
        <DateTimeField source="at" label="When" />
        <TextField source="actorEmail" label="Who" />
        <TextField source="actorRole" label="Role" sortable={false} />
        <TextField source="action" />
        <TextField source="targetType" label="Target" sortable={false} />
        <TextField source="targetId" label="Target id" sortable={false} />
        <TextField source="reason" sortable={false} />
        <TextField source="ip" label="IP" sortable={false} />
      </Datagrid>
    </List>
  );
}
