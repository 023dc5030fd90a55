import { dateTime } from "../common/format";
import { Alert, AlertTitle } from "@mui/material";
import { Link, useGetList } from "react-admin";

/** Shown on top of the home page while an app's daily spend ceiling refuses sends: the one block nobody may miss. */
export function SpendCeilingBanner() {
  const paid = useGetList("blocks", { filter: { active: true, rule: "spend_ceiling_paid" }, pagination: { page: 1, perPage: 10 }, sort: { field: "createdAt", order: "DESC" } });
  const email = useGetList("blocks", { filter: { active: true, rule: "spend_ceiling_email" }, pagination: { page: 1, perPage: 10 }, sort: { field: "createdAt", order: "DESC" } });
  const blocks = [...(paid.data ?? []), ...(email.data ?? [])];
  if (!blocks.length) return null;
  return (
    <Alert severity="error" sx={{ mb: 2 }} data-testid="spend-ceiling-banner">
      <AlertTitle>Daily spend ceiling reached</AlertTitle>
      {blocks.map((b: any) => (
        <div key={b.id}>
          <strong>{b.appName}</strong>: {b.summary} Until {dateTime(b.blockedUntil)}.
        </div>
      ))}
      <Link to="/blocks">Open the blocks page</Link> to lift a ceiling once the spend is understood.
    </Alert>
  );
}
