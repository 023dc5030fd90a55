export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`);
export const ms = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `${Math.round(v)} ms`);

// One way to write a moment everywhere in the dashboard — lists, detail cards, the timeline,
// tooltips: 24-hour with seconds, the date as YYYY-MM-DD, in the browser's time zone. Built by
// hand rather than with toLocaleString, whose 12- or 24-hour choice follows the browser's
// language and differed between react-admin's DateField (lists) and our own (details).
const two = (n: number) => String(n).padStart(2, "0");

/** "20:31:05" */
export const time = (iso: string | Date) => {
  const d = new Date(iso);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
};

/** "20:31:05.042": the timeline, where events a few milliseconds apart keep their order visible. */
export const timeMs = (iso: string | Date) => `${time(iso)}.${String(new Date(iso).getMilliseconds()).padStart(3, "0")}`;

/** "2026-12-07" */
export const date = (iso: string | Date) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
};

/** "2026-12-07 20:31:05", or "—" when there is no moment. */
export const dateTime = (iso: string | Date | null | undefined) => (iso ? `${date(iso)} ${time(iso)}` : "—");
