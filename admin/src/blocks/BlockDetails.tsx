import { Alert, Box, Table, TableBody, TableCell, TableRow, Typography } from "@mui/material";
import { useRecordContext } from "react-admin";

/** A block's explanation: what was refused and why, the figures it was judged on, its risk factors (server-worded). */
export function BlockDetails() {
  const b = useRecordContext<any>();
  if (!b) return null;
  return (
    <Box sx={{ p: 1 }} data-testid="block-details">
      {b.shadow && <Alert severity="info" sx={{ mb: 1 }}>Shadow block: the rule runs in record_only mode, so nothing was refused.</Alert>}
      <Typography variant="body2" sx={{ mb: 1 }}>{b.summary}</Typography>
      <Table size="small" sx={{ maxWidth: 720 }}>
        <TableBody>
          {b.figures.map((f: any) => (
            <TableRow key={f.label}><TableCell>{f.label}</TableCell><TableCell>{f.value}</TableCell></TableRow>
          ))}
        </TableBody>
      </Table>
      {b.riskFactors.length > 0 && (
        <>
          <Typography variant="subtitle2" sx={{ mt: 1 }}>Risk factors</Typography>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {b.riskFactors.map((f: any) => (
              <Typography key={f.code} component="li" variant="body2"><code>{f.code}</code>: {f.text}</Typography>
            ))}
          </Box>
        </>
      )}
    </Box>
  );
}
