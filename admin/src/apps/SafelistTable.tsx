import { dateTime } from "../common/format";
import { useState } from "react";
import { Button, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNotify, useRecordContext } from "react-admin";
import { gql } from "../graphql";

const ENTRY = `pattern numbers note addedBy addedAt`;

/** The app's safe list: numbers and ranges (up to +14155550xxx) the pumping guard never refuses. ADMIN only; audited. */
export function SafelistTable() {
  const app = useRecordContext<any>();
  const notify = useNotify();
  const qc = useQueryClient();
  const [pattern, setPattern] = useState("");
  const [note, setNote] = useState("");
  const key = ["safelist", app?.id];
  const { data } = useQuery({ queryKey: key, enabled: !!app, queryFn: async () => (await gql(`query($appId: ID!) { safelist(appId: $appId) { ${ENTRY} } }`, { appId: app.id })).safelist });
  if (!app) return null;
  const run = async (query: string, vars: Record<string, unknown>, done: string) => {
    try {
      await gql(query, { appId: app.id, ...vars });
      notify(done, { type: "success" });
      await qc.invalidateQueries({ queryKey: key });
    } catch (e) {
      notify((e as Error).message, { type: "error" });
    }
  };
  return (
    <Stack spacing={1} data-testid="safelist">
      <Typography variant="body2" color="text.secondary">Never refused by the pumping rules (volume limits per destination still apply). Every change is audited.</Typography>
      <Table size="small">
        <TableHead><TableRow><TableCell>Number or range</TableCell><TableCell>Numbers</TableCell><TableCell>Note</TableCell><TableCell>Added</TableCell><TableCell /></TableRow></TableHead>
        <TableBody>
          {(data ?? []).map((e: any) => (
            <TableRow key={e.pattern}>
              <TableCell><code>{e.pattern}</code></TableCell>
              <TableCell>{e.numbers.toLocaleString()}</TableCell>
              <TableCell>{e.note ?? ""}</TableCell>
              <TableCell>{e.addedBy ?? ""} {e.addedAt ? dateTime(e.addedAt) : ""}</TableCell>
              <TableCell>
                <Button size="small" color="error" onClick={() => run(`mutation($appId: ID!, $pattern: String!) { removeFromSafelist(appId: $appId, pattern: $pattern) { pattern } }`, { pattern: e.pattern }, "Removed from the safe list")}>Remove</Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Stack direction="row" spacing={1}>
        <TextField size="small" label="Number or range" placeholder="+1415555012x" value={pattern} onChange={(e) => setPattern(e.target.value)} />
        <TextField size="small" label="Note" value={note} onChange={(e) => setNote(e.target.value)} />
        <Button variant="outlined" disabled={!pattern.trim()} onClick={async () => {
          await run(`mutation($appId: ID!, $pattern: String!, $note: String) { addToSafelist(appId: $appId, pattern: $pattern, note: $note) { pattern } }`, { pattern, note: note || null }, "Added to the safe list");
          setPattern(""); setNote("");
        }}>Add</Button>
      </Stack>
    </Stack>
  );
}
