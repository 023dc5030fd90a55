import { Box, Typography } from "@mui/material";

/** "sendsPerIp" → "Sends per IP" (the setting names of protection/abuse-settings.ts, read aloud). */
const words = (key: string) => {
  const s = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().replace(/\bip\b/g, "IP").replace(/\bips\b/g, "IPs");
  return s.charAt(0).toUpperCase() + s.slice(1);
};
const duration = (seconds: number) =>
  seconds % 86_400 === 0 ? `${seconds / 86_400} d` : seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

function value(v: unknown): string {
  if (v === null) return "off";
  if (Array.isArray(v)) return v.map((x) => (typeof x === "number" ? duration(x) : value(x))).join(", ");
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.max === "number" && typeof o.windowSeconds === "number" && Object.keys(o).length === 2) return `${o.max} per ${duration(o.windowSeconds)}`;
    return Object.entries(o).map(([k, x]) => `${words(k).toLowerCase()} ${value(x)}`).join(" · ");
  }
  return String(v);
}

/**
 * An app's abuse-limit overrides (settings.limits, JSON) as a person reads them: "defaults" when
 * there are none, else one line per overridden limit ("Sends per IP: 20 per 1 h", "… off").
 */
export function LimitOverrides({ json }: { json: string | null | undefined }) {
  let limits: Record<string, unknown> = {};
  try {
    limits = json ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    return <code>{json}</code>;
  }
  const entries = Object.entries(limits ?? {});
  if (!entries.length) return <Typography variant="body2" data-testid="limit-overrides">defaults</Typography>;
  return (
    <Box component="ul" sx={{ m: 0, pl: 2.5 }} data-testid="limit-overrides">
      {entries.map(([k, v]) => (
        <Typography key={k} component="li" variant="body2">{words(k)}: {value(v)}</Typography>
      ))}
    </Box>
  );
}
