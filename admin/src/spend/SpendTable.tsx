import { Card, CardContent, Chip, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Typography } from "@mui/material";
import { percent } from "../common/format";
import type { SpendRow } from "../dataProvider";
import { moneyList } from "./money";

/**
 * One grouping's rows. A row the server marked `spendWithoutConversion` (money spent, conversion
 * under the threshold) is red and labelled: where SMS pumping and other fraud shows.
 */
export function SpendTable({ title, keyLabel, label, rows, threshold, testId }: {
  title: string; keyLabel: string; label: (r: SpendRow) => string; rows: SpendRow[]; threshold: number; testId: string;
}) {
  return (
    <Card variant="outlined" data-testid={testId}>
      <CardContent>
        <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>{title}</Typography>
        <TableContainer sx={{ overflowX: "auto" }}>
          <Table size="small">
            <TableHead>
              <TableRow>
                <TableCell>{keyLabel}</TableCell>
                <TableCell align="right">Verifications</TableCell>
                <TableCell align="right">Verified</TableCell>
                <TableCell align="right">Conversion</TableCell>
                <TableCell align="right">Hand-offs</TableCell>
                <TableCell align="right">Unpriced</TableCell>
                <TableCell>Spend</TableCell>
                <TableCell>Cost per verified user</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.length === 0 && (
                <TableRow><TableCell colSpan={8}><Typography variant="body2" color="text.secondary">Nothing in this period.</Typography></TableCell></TableRow>
              )}
              {rows.map((r) => (
                <TableRow key={label(r)} data-flagged={r.spendWithoutConversion ? "true" : "false"} sx={r.spendWithoutConversion ? { bgcolor: "rgba(211, 47, 47, 0.08)" } : undefined}>
                  <TableCell>
                    {label(r)}
                    {r.spendWithoutConversion && (
                      <Chip size="small" color="error" sx={{ ml: 1 }} label={`Spend, ${r.approved ? `under ${percent(threshold)}` : "no"} conversion`} />
                    )}
                  </TableCell>
                  <TableCell align="right">{r.verifications}</TableCell>
                  <TableCell align="right">{r.approved}</TableCell>
                  <TableCell align="right" sx={r.spendWithoutConversion ? { color: "error.main", fontWeight: 600 } : undefined}>{percent(r.conversionRate)}</TableCell>
                  <TableCell align="right">{r.attempts}</TableCell>
                  <TableCell align="right">{Math.max(0, r.attempts - r.pricedAttempts) || ""}</TableCell>
                  <TableCell>{moneyList(r.cost)}</TableCell>
                  <TableCell>{r.cost.length && !r.approved ? "nobody verified" : moneyList(r.costPerVerified)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      </CardContent>
    </Card>
  );
}
