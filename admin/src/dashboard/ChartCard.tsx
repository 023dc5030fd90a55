import { Card, CardContent, Typography } from "@mui/material";

export function ChartCard({ title, subtitle, children, testId }: { title: string; subtitle?: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card variant="outlined" sx={{ height: "100%" }} data-testid={testId}>
      <CardContent>
        <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>{title}</Typography>
        {subtitle && <Typography variant="caption" color="text.secondary">{subtitle}</Typography>}
        <div style={{ width: "100%", height: 240, marginTop: 8 }}>{children}</div>
      </CardContent>
    </Card>
  );
}

/** Bucket labels: hours for short ranges, days beyond. */
export const bucketLabel = (unit: string) => (iso: string) => {
  const d = new Date(iso);
  return unit === "HOUR" ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", hour12: false }) : d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
};
