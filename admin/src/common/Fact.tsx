import { Grid, Typography } from "@mui/material";

/** One labelled value in a record's summary card (verification, authenticator factor). */
export function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Grid size={{ xs: 6, md: 3 }}>
      <Typography variant="caption" color="text.secondary">{label}</Typography>
      <Typography variant="body1" component="div">{children}</Typography>
    </Grid>
  );
}
