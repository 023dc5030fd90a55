import { Typography } from "@mui/material";
import { useRecordContext } from "react-admin";
import { dateTime } from "./format";

/**
 * react-admin's DateField in the dashboard's one time format (common/format.ts): a list column
 * reads like the detail page it opens. `label` and `sortBy` are read by the Datagrid.
 */
export function DateTimeField(props: { source: string; label?: string; sortBy?: string; sortable?: boolean; emptyText?: string }) {
  const record = useRecordContext<Record<string, string | null>>();
  const value = record?.[props.source];
  return <Typography component="span" variant="body2" sx={{ whiteSpace: "nowrap" }}>{value ? dateTime(value) : (props.emptyText ?? "—")}</Typography>;
}
